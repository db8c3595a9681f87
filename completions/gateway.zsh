#compdef gateway

autoload -U is-at-least

_gateway() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_gateway_commands" \
"*::: :->gateway" \
&& ret=0
    case $state in
    (gateway)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:gateway-command-$line[1]:"
        case $line[1] in
            (render)
_arguments "${_arguments_options[@]}" : \
'--output=[Output format, as in every command (it no longer names a file\: see -o/--output-file)]:FORMAT:(yaml json)' \
'-o+[Write to FILE instead of standard output (written only when rendering succeeds)]:FILE:_files' \
'--output-file=[Write to FILE instead of standard output (written only when rendering succeeds)]:FILE:_files' \
'(--output)--format=[Deprecated spelling of --output FORMAT]:FORMAT:(yaml json)' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--placeholders[Emit \`\${{ env "DECK_X" }}\` references instead of values, so the file holds no secrets]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::inputs -- decK files and docs pages, merged in order (`-`\: standard input):_files' \
&& ret=0
;;
(validate)
_arguments "${_arguments_options[@]}" : \
'--output=[Output format (json goes to standard output, text to standard error)]:FORMAT:(text json)' \
'*--plugin-schemas=[A custom plugin'\''s schema as Kong'\''s \`GET /schemas/plugins/NAME\` answers it, in a file named NAME.json, or a directory of such files (repeatable). Declared plugins are known to the checks, and their configs are checked against these schemas]:PATH:_files' \
'--router-flavor=[Kong'\''s \`router_flavor\`\: which route fields exist and how routes match]:FLAVOR:((traditional_compatible\:"Kong 3.x'\''s default\: routes with paths, hosts, methods, headers, snis"
expressions\:"Routes may carry an ATC \`expression\` and a \`priority\`"))' \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--strict[Treat warnings as errors]' \
'--online[Also ask a running gateway to validate every entity (its /schemas/.../validate endpoints)]' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::inputs -- decK files and docs pages, merged in order (`-`\: standard input):_files' \
&& ret=0
;;
(simulate)
_arguments "${_arguments_options[@]}" : \
'-X+[Request method]:METHOD:_default' \
'--method=[Request method]:METHOD:_default' \
'--path=[Request path, with an optional query string (\`/p?x=1\`)]:PATH[?QUERY]:_default' \
'--host=[Host header, optionally with a port]:HOST[:PORT]:_default' \
'*-H+[A request header (repeatable)]:NAME: VALUE:_default' \
'*--header=[A request header (repeatable)]:NAME: VALUE:_default' \
'--body=[Request body\: a file, or - for standard input]:FILE|-:_files' \
'--scheme=[Scheme the client uses]:SCHEME:(http https)' \
'--port=[Kong'\''s listener port (default 8000 for http, 8443 for https)]:PORT:_default' \
'--sni=[TLS server name the client sends (https only)]:SNI:_default' \
'--output=[Output format (both go to standard output)]:FORMAT:(text json)' \
'--priority=[Which route priority formula orders routes]:PRIORITY:((effective\:"What Kong 3.x really computes on x86-64 (Kong/kong#14457)"
documented\:"The layout Kong'\''s source and docs describe"))' \
'--serve=[Serve a dry-run HTTP listener on ADDR (e.g. 127.0.0.1\:8000) instead of one request]:ADDR:_default' \
'*--plugin-schemas=[A custom plugin'\''s schema as Kong'\''s \`GET /schemas/plugins/NAME\` answers it, in a file named NAME.json, or a directory of such files (repeatable). Declared plugins are known to the checks, and their configs are checked against these schemas]:PATH:_files' \
'--router-flavor=[Kong'\''s \`router_flavor\`\: which route fields exist and how routes match]:FLAVOR:((traditional_compatible\:"Kong 3.x'\''s default\: routes with paths, hosts, methods, headers, snis"
expressions\:"Routes may carry an ATC \`expression\` and a \`priority\`"))' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--show-secrets[Show credentials the AI proxy adds instead of \`\[masked\]\`]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::configs -- decK files and docs pages (default\: kong.yaml; `-`\: standard input):_files' \
&& ret=0
;;
(test)
_arguments "${_arguments_options[@]}" : \
'*--config=[Configs to test (default\: the table'\''s \`config\:\` list, relative to the table; \`-\`\: standard input)]:CONFIG:_files' \
'--output=[Output format]:FORMAT:(text json junit)' \
'--fail-under=[Fail when route coverage is below PCT percent]:PCT:_default' \
'--priority=[Which route priority formula orders routes]:PRIORITY:((effective\:"What Kong 3.x really computes on x86-64 (Kong/kong#14457)"
documented\:"The layout Kong'\''s source and docs describe"))' \
'*--plugin-schemas=[A custom plugin'\''s schema as Kong'\''s \`GET /schemas/plugins/NAME\` answers it, in a file named NAME.json, or a directory of such files (repeatable). Declared plugins are known to the checks, and their configs are checked against these schemas]:PATH:_files' \
'--router-flavor=[Kong'\''s \`router_flavor\`\: which route fields exist and how routes match]:FLAVOR:((traditional_compatible\:"Kong 3.x'\''s default\: routes with paths, hosts, methods, headers, snis"
expressions\:"Routes may carry an ATC \`expression\` and a \`priority\`"))' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--coverage[Report which routes no test touches]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':tests -- The test table (YAML; `-`\: standard input):_files' \
&& ret=0
;;
(ping)
_arguments "${_arguments_options[@]}" : \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'--output=[Output format (json\: the gateway'\''s details, or on failure \`{"errors"\: \[...\]}\`, on standard output)]:FORMAT:(text json)' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(dump)
_arguments "${_arguments_options[@]}" : \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'--output=[Output format, as in every command (it no longer names a file\: see -o/--output-file)]:FORMAT:(yaml json)' \
'-o+[Write to FILE instead of standard output]:FILE:_files' \
'--output-file=[Write to FILE instead of standard output]:FILE:_files' \
'(--output)--format=[Deprecated spelling of --output FORMAT]:FORMAT:(yaml json)' \
'*--select-tag=[Only entities with this tag (repeatable; all must match)]:TAG:_default' \
'*--include=[Also dump a kind sync manages only on request (repeatable)]:KIND:((licenses\:"Kong Enterprise licenses (\`licenses\`)"
plugin-definitions\:"Cloned and custom plugin definitions; the file gets \`_info.include_plugin_definitions\`"
degraphql-routes\:"DeGraphQL routes, written as \`custom_entities\` of \`type\: degraphql_routes\`"
graphql-ratelimiting-cost-decorations\:"GraphQL rate-limiting cost decorations, written as \`custom_entities\` of \`type\: graphql_ratelimiting_cost_decorations\`"))' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'(--include)--rbac-resources-only[Dump RBAC roles and their endpoint permissions only (Kong Enterprise)]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(diff)
_arguments "${_arguments_options[@]}" : \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'--output=[Output format (both to standard output)]:FORMAT:(text json)' \
'*--select-tag=[Only entities with this tag, in addition to the file'\''s \`_info.select_tags\`]:TAG:_default' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'--exit-code[Exit 2 when there are changes (0 none, 1 error)]' \
'--rbac-resources-only[Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config may hold nothing else]' \
'--bundled-schemas[Fill Kong'\''s defaults from the schemas bundled with gateway (Kong 3.15) only, without asking the gateway'\''s /schemas endpoints]' \
'--show-secrets[Print secrets (credentials, fields Kong encrypts, values from the environment) instead of \`\[masked\]\`, in the plan and in every message]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
'*::configs -- decK files and docs pages (default\: kong.yaml; `-`\: standard input):_files' \
&& ret=0
;;
(sync)
_arguments "${_arguments_options[@]}" : \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'--parallelism=[Requests in flight at once]:PARALLELISM:_default' \
'--output=[Output format (both to standard output)]:FORMAT:(text json)' \
'*--select-tag=[Only entities with this tag, in addition to the file'\''s \`_info.select_tags\`]:TAG:_default' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'--dry-run[Print the plan and stop\: no write request is sent]' \
'-y[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--yes[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--force[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--rbac-resources-only[Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config may hold nothing else]' \
'--bundled-schemas[Fill Kong'\''s defaults from the schemas bundled with gateway (Kong 3.15) only, without asking the gateway'\''s /schemas endpoints]' \
'--show-secrets[Print secrets (credentials, fields Kong encrypts, values from the environment) instead of \`\[masked\]\`, in the plan and in every message]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::configs -- decK files and docs pages (default\: kong.yaml; `-`\: standard input):_files' \
&& ret=0
;;
(apply)
_arguments "${_arguments_options[@]}" : \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'--parallelism=[Requests in flight at once]:PARALLELISM:_default' \
'--output=[Output format (both to standard output)]:FORMAT:(text json)' \
'*--select-tag=[Only entities with this tag, in addition to the file'\''s \`_info.select_tags\`]:TAG:_default' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'--dry-run[Print the plan and stop\: no write request is sent]' \
'-y[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--yes[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--force[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--rbac-resources-only[Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config may hold nothing else]' \
'--bundled-schemas[Fill Kong'\''s defaults from the schemas bundled with gateway (Kong 3.15) only, without asking the gateway'\''s /schemas endpoints]' \
'--show-secrets[Print secrets (credentials, fields Kong encrypts, values from the environment) instead of \`\[masked\]\`, in the plan and in every message]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
'*::configs -- decK files and docs pages (default\: kong.yaml; `-`\: standard input):_files' \
&& ret=0
;;
(reset)
_arguments "${_arguments_options[@]}" : \
'--kong-addr=[Admin API address]:KONG_ADDR:_default' \
'*--headers=[A header sent with every request, e.g. '\''Kong-Admin-Token\: ...'\'' (repeatable)]:NAME: VALUE:_default' \
'--workspace=[Kong Enterprise workspace]:WORKSPACE:_default' \
'--ca-cert=[Trust this CA certificate (PEM) for the Admin API]:FILE:_files' \
'--timeout=[Seconds to wait for each request]:TIMEOUT:_default' \
'--rps-limit=[At most this many requests per second]:N:_default' \
'*--select-tag=[Only entities with this tag (all given tags must match)]:TAG:_default' \
'--parallelism=[Requests in flight at once]:PARALLELISM:_default' \
'--output=[Output format (both to standard output)]:FORMAT:(text json)' \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'--tls-skip-verify[Do not verify the Admin API'\''s TLS certificate]' \
'--rbac-resources-only[Reset RBAC roles and their endpoint permissions only (Kong Enterprise)]' \
'--show-secrets[Show secret values (credentials, encrypted fields) instead of \`\[masked\]\`]' \
'--dry-run[Print the plan and stop\: no write request is sent]' \
'-y[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--yes[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'--force[Write without asking (asking happens only on an interactive terminal; reset without a terminal refuses unless given). \`--force\` is decK'\''s spelling]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
'::rule -- Rule code (T001) or name (undefined-uri-capture):_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--color=[When to use colour in text output (NO_COLOR is honoured with \`auto\`)]:COLOR:(auto always never)' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':shell -- The shell to generate for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_gateway__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:gateway-help-command-$line[1]:"
        case $line[1] in
            (render)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(validate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(simulate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(test)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(ping)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(dump)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(diff)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(sync)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(apply)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reset)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_gateway_commands] )) ||
_gateway_commands() {
    local commands; commands=(
'render:Render docs pages and decK files into one decK config' \
'validate:Check configs offline\: schemas, route regexes, references and AI proxy templates' \
'simulate:Resolve a request exactly as Kong 3.x would\: route, captures, plugins, upstream' \
'test:Run a table of requests with expectations against a config (route tests)' \
'ping:Check that a Kong Admin API answers, and print its version' \
'dump:Write the gateway'\''s current entities as a decK file' \
'diff:Show what \`sync\` would change, field by field. Sends no write request' \
'sync:Make the gateway match the config\: a complete plan first, then creates, updates and deletes in dependency order, with retries' \
'apply:Create and update like sync, but never delete (decK'\''s \`gateway apply\`)' \
'reset:Delete every entity the tool manages (only those with the select tags, if given)' \
'explain:Explain a rule by code or name (\`gateway explain T001\`); lists all rules without one' \
'completions:Print a shell completion script' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'gateway commands' commands "$@"
}
(( $+functions[_gateway__subcmd__apply_commands] )) ||
_gateway__subcmd__apply_commands() {
    local commands; commands=()
    _describe -t commands 'gateway apply commands' commands "$@"
}
(( $+functions[_gateway__subcmd__completions_commands] )) ||
_gateway__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'gateway completions commands' commands "$@"
}
(( $+functions[_gateway__subcmd__diff_commands] )) ||
_gateway__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'gateway diff commands' commands "$@"
}
(( $+functions[_gateway__subcmd__dump_commands] )) ||
_gateway__subcmd__dump_commands() {
    local commands; commands=()
    _describe -t commands 'gateway dump commands' commands "$@"
}
(( $+functions[_gateway__subcmd__explain_commands] )) ||
_gateway__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'gateway explain commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help_commands] )) ||
_gateway__subcmd__help_commands() {
    local commands; commands=(
'render:Render docs pages and decK files into one decK config' \
'validate:Check configs offline\: schemas, route regexes, references and AI proxy templates' \
'simulate:Resolve a request exactly as Kong 3.x would\: route, captures, plugins, upstream' \
'test:Run a table of requests with expectations against a config (route tests)' \
'ping:Check that a Kong Admin API answers, and print its version' \
'dump:Write the gateway'\''s current entities as a decK file' \
'diff:Show what \`sync\` would change, field by field. Sends no write request' \
'sync:Make the gateway match the config\: a complete plan first, then creates, updates and deletes in dependency order, with retries' \
'apply:Create and update like sync, but never delete (decK'\''s \`gateway apply\`)' \
'reset:Delete every entity the tool manages (only those with the select tags, if given)' \
'explain:Explain a rule by code or name (\`gateway explain T001\`); lists all rules without one' \
'completions:Print a shell completion script' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'gateway help commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__apply_commands] )) ||
_gateway__subcmd__help__subcmd__apply_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help apply commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__completions_commands] )) ||
_gateway__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help completions commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__diff_commands] )) ||
_gateway__subcmd__help__subcmd__diff_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help diff commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__dump_commands] )) ||
_gateway__subcmd__help__subcmd__dump_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help dump commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__explain_commands] )) ||
_gateway__subcmd__help__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help explain commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__help_commands] )) ||
_gateway__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help help commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__ping_commands] )) ||
_gateway__subcmd__help__subcmd__ping_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help ping commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__render_commands] )) ||
_gateway__subcmd__help__subcmd__render_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help render commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__reset_commands] )) ||
_gateway__subcmd__help__subcmd__reset_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help reset commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__simulate_commands] )) ||
_gateway__subcmd__help__subcmd__simulate_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help simulate commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__sync_commands] )) ||
_gateway__subcmd__help__subcmd__sync_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help sync commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__test_commands] )) ||
_gateway__subcmd__help__subcmd__test_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help test commands' commands "$@"
}
(( $+functions[_gateway__subcmd__help__subcmd__validate_commands] )) ||
_gateway__subcmd__help__subcmd__validate_commands() {
    local commands; commands=()
    _describe -t commands 'gateway help validate commands' commands "$@"
}
(( $+functions[_gateway__subcmd__ping_commands] )) ||
_gateway__subcmd__ping_commands() {
    local commands; commands=()
    _describe -t commands 'gateway ping commands' commands "$@"
}
(( $+functions[_gateway__subcmd__render_commands] )) ||
_gateway__subcmd__render_commands() {
    local commands; commands=()
    _describe -t commands 'gateway render commands' commands "$@"
}
(( $+functions[_gateway__subcmd__reset_commands] )) ||
_gateway__subcmd__reset_commands() {
    local commands; commands=()
    _describe -t commands 'gateway reset commands' commands "$@"
}
(( $+functions[_gateway__subcmd__simulate_commands] )) ||
_gateway__subcmd__simulate_commands() {
    local commands; commands=()
    _describe -t commands 'gateway simulate commands' commands "$@"
}
(( $+functions[_gateway__subcmd__sync_commands] )) ||
_gateway__subcmd__sync_commands() {
    local commands; commands=()
    _describe -t commands 'gateway sync commands' commands "$@"
}
(( $+functions[_gateway__subcmd__test_commands] )) ||
_gateway__subcmd__test_commands() {
    local commands; commands=()
    _describe -t commands 'gateway test commands' commands "$@"
}
(( $+functions[_gateway__subcmd__validate_commands] )) ||
_gateway__subcmd__validate_commands() {
    local commands; commands=()
    _describe -t commands 'gateway validate commands' commands "$@"
}

if [ "$funcstack[1]" = "_gateway" ]; then
    _gateway "$@"
else
    compdef _gateway gateway
fi
