# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gateway_global_optspecs
    string join \n color= h/help V/version
end

function __fish_gateway_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gateway_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gateway_using_subcommand
    set -l cmd (__fish_gateway_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gateway -n "__fish_gateway_needs_command" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_needs_command" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "render" -d 'Render docs pages and decK files into one decK config'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "validate" -d 'Check configs offline: schemas, route regexes, references and AI proxy templates'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "simulate" -d 'Resolve a request exactly as Kong 3.x would: route, captures, plugins, upstream'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "test" -d 'Run a table of requests with expectations against a config (route tests)'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "ping" -d 'Check that a Kong Admin API answers, and print its version'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "dump" -d 'Write the gateway\'s current entities as a decK file'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "diff" -d 'Show what `sync` would change, field by field. Sends no write request'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "sync" -d 'Make the gateway match the config: a complete plan first, then creates, updates and deletes in dependency order, with retries'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "apply" -d 'Create and update like sync, but never delete (decK\'s `gateway apply`)'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "reset" -d 'Delete every entity the tool manages (only those with the select tags, if given)'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "explain" -d 'Explain a rule by code or name (`gateway explain T001`); lists all rules without one'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c gateway -n "__fish_gateway_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gateway -n "__fish_gateway_using_subcommand render" -l output -d 'Output format, as in every command (it no longer names a file: see -o/--output-file)' -r -f -a "yaml\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand render" -s o -l output-file -d 'Write to FILE instead of standard output (written only when rendering succeeds)' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand render" -l format -d 'Deprecated spelling of --output FORMAT' -r -f -a "yaml\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand render" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand render" -l placeholders -d 'Emit `${{ env "DECK_X" }}` references instead of values, so the file holds no secrets'
complete -c gateway -n "__fish_gateway_using_subcommand render" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand render" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l output -d 'Output format (json goes to standard output, text to standard error)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l plugin-schemas -d 'A custom plugin\'s schema as Kong\'s `GET /schemas/plugins/NAME` answers it, in a file named NAME.json, or a directory of such files (repeatable). Declared plugins are known to the checks, and their configs are checked against these schemas' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l router-flavor -d 'Kong\'s `router_flavor`: which route fields exist and how routes match' -r -f -a "traditional_compatible\t'Kong 3.x\'s default: routes with paths, hosts, methods, headers, snis'
expressions\t'Routes may carry an ATC `expression` and a `priority`'"
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l strict -d 'Treat warnings as errors'
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l online -d 'Also ask a running gateway to validate every entity (its /schemas/.../validate endpoints)'
complete -c gateway -n "__fish_gateway_using_subcommand validate" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand validate" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -s X -l method -d 'Request method' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l path -d 'Request path, with an optional query string (`/p?x=1`)' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l host -d 'Host header, optionally with a port' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -s H -l header -d 'A request header (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l body -d 'Request body: a file, or - for standard input' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l scheme -d 'Scheme the client uses' -r -f -a "http\t''
https\t''"
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l port -d 'Kong\'s listener port (default 8000 for http, 8443 for https)' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l sni -d 'TLS server name the client sends (https only)' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l output -d 'Output format (both go to standard output)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l priority -d 'Which route priority formula orders routes' -r -f -a "effective\t'What Kong 3.x really computes on x86-64 (Kong/kong#14457)'
documented\t'The layout Kong\'s source and docs describe'"
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l serve -d 'Serve a dry-run HTTP listener on ADDR (e.g. 127.0.0.1:8000) instead of one request' -r
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l plugin-schemas -d 'A custom plugin\'s schema as Kong\'s `GET /schemas/plugins/NAME` answers it, in a file named NAME.json, or a directory of such files (repeatable). Declared plugins are known to the checks, and their configs are checked against these schemas' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l router-flavor -d 'Kong\'s `router_flavor`: which route fields exist and how routes match' -r -f -a "traditional_compatible\t'Kong 3.x\'s default: routes with paths, hosts, methods, headers, snis'
expressions\t'Routes may carry an ATC `expression` and a `priority`'"
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -l show-secrets -d 'Show credentials the AI proxy adds instead of `[masked]`'
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand test" -l config -d 'Configs to test (default: the table\'s `config:` list, relative to the table; `-`: standard input)' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand test" -l output -d 'Output format' -r -f -a "text\t''
json\t''
junit\t''"
complete -c gateway -n "__fish_gateway_using_subcommand test" -l fail-under -d 'Fail when route coverage is below PCT percent' -r
complete -c gateway -n "__fish_gateway_using_subcommand test" -l priority -d 'Which route priority formula orders routes' -r -f -a "effective\t'What Kong 3.x really computes on x86-64 (Kong/kong#14457)'
documented\t'The layout Kong\'s source and docs describe'"
complete -c gateway -n "__fish_gateway_using_subcommand test" -l plugin-schemas -d 'A custom plugin\'s schema as Kong\'s `GET /schemas/plugins/NAME` answers it, in a file named NAME.json, or a directory of such files (repeatable). Declared plugins are known to the checks, and their configs are checked against these schemas' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand test" -l router-flavor -d 'Kong\'s `router_flavor`: which route fields exist and how routes match' -r -f -a "traditional_compatible\t'Kong 3.x\'s default: routes with paths, hosts, methods, headers, snis'
expressions\t'Routes may carry an ATC `expression` and a `priority`'"
complete -c gateway -n "__fish_gateway_using_subcommand test" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand test" -l coverage -d 'Report which routes no test touches'
complete -c gateway -n "__fish_gateway_using_subcommand test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand test" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l output -d 'Output format (json: the gateway\'s details, or on failure `{"errors": [...]}`, on standard output)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand ping" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand ping" -s h -l help -d 'Print help'
complete -c gateway -n "__fish_gateway_using_subcommand ping" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l output -d 'Output format, as in every command (it no longer names a file: see -o/--output-file)' -r -f -a "yaml\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand dump" -s o -l output-file -d 'Write to FILE instead of standard output' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l format -d 'Deprecated spelling of --output FORMAT' -r -f -a "yaml\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l select-tag -d 'Only entities with this tag (repeatable; all must match)' -r
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l include -d 'Also dump a kind sync manages only on request (repeatable)' -r -f -a "licenses\t'Kong Enterprise licenses (`licenses`)'
plugin-definitions\t'Cloned and custom plugin definitions; the file gets `_info.include_plugin_definitions`'
degraphql-routes\t'DeGraphQL routes, written as `custom_entities` of `type: degraphql_routes`'
graphql-ratelimiting-cost-decorations\t'GraphQL rate-limiting cost decorations, written as `custom_entities` of `type: graphql_ratelimiting_cost_decorations`'"
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand dump" -l rbac-resources-only -d 'Dump RBAC roles and their endpoint permissions only (Kong Enterprise)'
complete -c gateway -n "__fish_gateway_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand dump" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l output -d 'Output format (both to standard output)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l select-tag -d 'Only entities with this tag, in addition to the file\'s `_info.select_tags`' -r
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l exit-code -d 'Exit 2 when there are changes (0 none, 1 error)'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l rbac-resources-only -d 'Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config may hold nothing else'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l bundled-schemas -d 'Fill Kong\'s defaults from the schemas bundled with gateway (Kong 3.15) only, without asking the gateway\'s /schemas endpoints'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -l show-secrets -d 'Print secrets (credentials, fields Kong encrypts, values from the environment) instead of `[masked]`, in the plan and in every message'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -s h -l help -d 'Print help'
complete -c gateway -n "__fish_gateway_using_subcommand diff" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l parallelism -d 'Requests in flight at once' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l output -d 'Output format (both to standard output)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l select-tag -d 'Only entities with this tag, in addition to the file\'s `_info.select_tags`' -r
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l dry-run -d 'Print the plan and stop: no write request is sent'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -s y -l yes -l force -d 'Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). `--force` is decK\'s spelling'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l rbac-resources-only -d 'Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config may hold nothing else'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l bundled-schemas -d 'Fill Kong\'s defaults from the schemas bundled with gateway (Kong 3.15) only, without asking the gateway\'s /schemas endpoints'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -l show-secrets -d 'Print secrets (credentials, fields Kong encrypts, values from the environment) instead of `[masked]`, in the plan and in every message'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand sync" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l parallelism -d 'Requests in flight at once' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l output -d 'Output format (both to standard output)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l select-tag -d 'Only entities with this tag, in addition to the file\'s `_info.select_tags`' -r
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l dry-run -d 'Print the plan and stop: no write request is sent'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -s y -l yes -l force -d 'Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). `--force` is decK\'s spelling'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l rbac-resources-only -d 'Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config may hold nothing else'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l bundled-schemas -d 'Fill Kong\'s defaults from the schemas bundled with gateway (Kong 3.15) only, without asking the gateway\'s /schemas endpoints'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -l show-secrets -d 'Print secrets (credentials, fields Kong encrypts, values from the environment) instead of `[masked]`, in the plan and in every message'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -s h -l help -d 'Print help'
complete -c gateway -n "__fish_gateway_using_subcommand apply" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l kong-addr -d 'Admin API address' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l headers -d 'A header sent with every request, e.g. \'Kong-Admin-Token: ...\' (repeatable)' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l workspace -d 'Kong Enterprise workspace' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l ca-cert -d 'Trust this CA certificate (PEM) for the Admin API' -r -F
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l timeout -d 'Seconds to wait for each request' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l rps-limit -d 'At most this many requests per second' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l select-tag -d 'Only entities with this tag (all given tags must match)' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l parallelism -d 'Requests in flight at once' -r
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l output -d 'Output format (both to standard output)' -r -f -a "text\t''
json\t''"
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l tls-skip-verify -d 'Do not verify the Admin API\'s TLS certificate'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l rbac-resources-only -d 'Reset RBAC roles and their endpoint permissions only (Kong Enterprise)'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l show-secrets -d 'Show secret values (credentials, encrypted fields) instead of `[masked]`'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -l dry-run -d 'Print the plan and stop: no write request is sent'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -s y -l yes -l force -d 'Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). `--force` is decK\'s spelling'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gateway -n "__fish_gateway_using_subcommand reset" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand explain" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand explain" -s h -l help -d 'Print help'
complete -c gateway -n "__fish_gateway_using_subcommand explain" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand completions" -l color -d 'When to use colour in text output (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gateway -n "__fish_gateway_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gateway -n "__fish_gateway_using_subcommand completions" -s V -l version -d 'Print version'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "render" -d 'Render docs pages and decK files into one decK config'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "validate" -d 'Check configs offline: schemas, route regexes, references and AI proxy templates'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "simulate" -d 'Resolve a request exactly as Kong 3.x would: route, captures, plugins, upstream'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "test" -d 'Run a table of requests with expectations against a config (route tests)'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "ping" -d 'Check that a Kong Admin API answers, and print its version'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "dump" -d 'Write the gateway\'s current entities as a decK file'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "diff" -d 'Show what `sync` would change, field by field. Sends no write request'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "sync" -d 'Make the gateway match the config: a complete plan first, then creates, updates and deletes in dependency order, with retries'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "apply" -d 'Create and update like sync, but never delete (decK\'s `gateway apply`)'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "reset" -d 'Delete every entity the tool manages (only those with the select tags, if given)'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "explain" -d 'Explain a rule by code or name (`gateway explain T001`); lists all rules without one'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c gateway -n "__fish_gateway_using_subcommand help; and not __fish_seen_subcommand_from render validate simulate test ping dump diff sync apply reset explain completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
