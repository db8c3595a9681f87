"""A reader for the table-constructor subset of Lua that Kong's schema files are written in:
`local NAME = <expr>` definitions, `typedefs.NAME = <expr>` (typedefs.lua) and the returned
schema table. Expressions: tables, strings, numbers, booleans, nil, names (`a.b.c`), calls
(`typedefs.url { ... }`, `Schema.define(...)`); functions and operators are read past and
kept only as opaque markers. Nothing is executed."""
import re

TOKEN = re.compile(r'''
  (?P<ws>\s+)
| (?P<comment>--\[(?P<ceq>=*)\[.*?\](?P=ceq)\]|--[^\n]*)
| (?P<lstr>\[(?P<leq>=*)\[.*?\](?P=leq)\])
| (?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
| (?P<num>0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)
| (?P<name>[A-Za-z_]\w*)
| (?P<op>\.\.\.|\.\.|==|~=|<=|>=|::|.)
''', re.S | re.X)

ESC = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"', "'": "'", "\n": "\n"}


def unquote(s):
    body, out, i = s[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n.isdigit():
            m = re.match(r"\d{1,3}", body[i + 1:]).group(0)
            out.append(chr(int(m)))
            i += 1 + len(m)
        else:
            out.append(ESC.get(n, n))
            i += 2
    return "".join(out)


def tokenize(text):
    toks = []
    for m in TOKEN.finditer(text):
        if m.group("ws") is not None or m.group("comment") is not None:
            continue
        if m.group("lstr") is not None:
            raw = m.group("lstr")
            eq = len(m.group("leq"))
            body = raw[2 + eq:-2 - eq]
            toks.append(("str", body[1:] if body.startswith("\n") else body))
        elif m.group("str") is not None:
            toks.append(("str", unquote(m.group("str"))))
        elif m.group("num") is not None:
            t = m.group("num")
            toks.append(("num", int(t, 16) if t[:2] in ("0x", "0X") else (float(t) if re.search(r"[.eE]", t) else int(t))))
        elif m.group("name") is not None:
            toks.append(("name", m.group("name")))
        else:
            toks.append(("op", m.group("op")))
    toks.append(("eof", None))
    return toks


class Ref:
    """A name (`typedefs.url`, `ORDERED_PERIODS`) to be resolved against definitions."""
    def __init__(self, path):
        self.path = path

    def __repr__(self):
        return "Ref(%s)" % ".".join(self.path)


class Call:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args


class Opaque:
    """A function, an operator expression or anything else the reader does not evaluate."""
    def __repr__(self):
        return "Opaque"


class Table:
    def __init__(self):
        self.items, self.keys = [], {}


BINOPS = {"..", "+", "-", "*", "/", "%", "^", "==", "~=", "<", ">", "<=", ">=", "and", "or"}
OPENERS = {"function", "if", "do"}


class Reader:
    def __init__(self, text):
        self.t = tokenize(text)
        self.i = 0

    def peek(self, k=0):
        return self.t[min(self.i + k, len(self.t) - 1)]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def accept(self, kind, val=None):
        tok = self.peek()
        if tok[0] == kind and (val is None or tok[1] == val):
            self.i += 1
            return True
        return False

    def skip_block(self):
        """After `function`: read past the matching `end`."""
        depth = 1
        while depth and self.peek()[0] != "eof":
            kind, val = self.next()
            if kind == "name" and val in OPENERS:
                depth += 1
            elif kind == "name" and val == "end":
                depth -= 1
            elif kind == "name" and val == "repeat":
                depth += 1
            elif kind == "name" and val == "until":
                depth -= 1

    def expr(self):
        v = self.unary()
        while True:
            kind, val = self.peek()
            if (kind == "op" or kind == "name") and val in BINOPS:
                self.next()
                self.unary()
                v = Opaque()
            else:
                return v

    def unary(self):
        if self.accept("op", "-"):
            v = self.unary()
            return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else Opaque()
        if self.accept("name", "not") or self.accept("op", "#"):
            self.unary()
            return Opaque()
        return self.primary()

    def primary(self):
        kind, val = self.next()
        if kind in ("str", "num"):
            return val
        if kind == "op" and val == "{":
            return self.table()
        if kind == "op" and val == "(":
            v = self.expr()
            self.accept("op", ")")
            return self.suffix(v)
        if kind == "name":
            if val == "true":
                return True
            if val == "false":
                return False
            if val == "nil":
                return None
            if val == "function":
                self.skip_block()
                return Opaque()
            return self.suffix(Ref([val]))
        return Opaque()

    def suffix(self, v):
        while True:
            kind, val = self.peek()
            if kind == "op" and val == "." and self.peek(1)[0] == "name":
                self.next()
                name = self.next()[1]
                v = Ref(v.path + [name]) if isinstance(v, Ref) else Opaque()
            elif kind == "op" and val == "[":
                self.next()
                self.expr()
                self.accept("op", "]")
                v = Opaque()
            elif kind == "op" and val == ":":
                self.next()
                self.next()
                v = Opaque()
            elif kind == "op" and val == "{":
                self.next()
                v = Call(v, [self.table()])
            elif kind == "str":
                self.next()
                v = Call(v, [val])
            elif kind == "op" and val == "(":
                self.next()
                args = []
                while not self.accept("op", ")"):
                    if self.peek()[0] == "eof":
                        break
                    args.append(self.expr())
                    self.accept("op", ",")
                v = Call(v, args)
            else:
                return v

    def table(self):
        t = Table()
        while not self.accept("op", "}"):
            if self.peek()[0] == "eof":
                break
            if self.peek()[0] == "name" and self.peek(1) == ("op", "="):
                key = self.next()[1]
                self.next()
                t.keys[key] = self.expr()
            elif self.peek() == ("op", "["):
                self.next()
                key = self.expr()
                self.accept("op", "]")
                self.accept("op", "=")
                val = self.expr()
                if isinstance(key, str):
                    t.keys[key] = val
            else:
                t.items.append(self.expr())
            if not (self.accept("op", ",") or self.accept("op", ";")):
                # the last field: the table ends here (or the text is not a table we read)
                self.accept("op", "}")
                break
        return t


def read_module(text):
    """Definitions and the returned value of a Lua file: ({name: value}, returned)."""
    r = Reader(text)
    defs, returned = {}, None
    while r.peek()[0] != "eof":
        kind, val = r.peek()
        start = r.i
        if kind == "name" and val == "local" and r.peek(1)[0] == "name" and r.peek(1)[1] != "function" and r.peek(2) == ("op", "="):
            name = r.peek(1)[1]
            r.i += 3
            defs[name] = r.expr()
        elif kind == "name" and val == "return" and returned is None:
            r.next()
            returned = r.expr()
        elif kind == "name" and r.peek(1) == ("op", ".") and r.peek(2)[0] == "name" and r.peek(3) == ("op", "="):
            key = "%s.%s" % (val, r.peek(2)[1])
            r.i += 4
            defs[key] = r.expr()
        elif kind == "name" and val == "function" or (kind == "name" and val == "local" and r.peek(1) == ("name", "function")):
            r.i += 1 if val == "function" else 2
            r.skip_block()
        else:
            r.next()
        if r.i == start:
            r.next()
    return defs, returned


class Module:
    """A Lua file read with `read_module`; `load(modname)` reads the files it requires."""
    def __init__(self, text, load):
        self.defs, self.returned = read_module(text)
        self.load = load

    def lookup(self, path):
        """The value a dotted name stands for, with the module it was defined in."""
        key = ".".join(path[:2])
        if len(path) >= 2 and key in self.defs:
            return self.attr(self.defs[key], path[2:])
        if path[0] in self.defs:
            return self.attr(self.defs[path[0]], path[1:])
        return None, self

    def attr(self, v, rest):
        mod = self
        v, mod = mod.resolve(v)
        for name in rest:
            if isinstance(v, Module):
                v, mod = v.export(name)
            elif isinstance(v, Table) and name in v.keys:
                v, mod = mod.resolve(v.keys[name])
            else:
                return None, mod
        return v, mod

    def export(self, name):
        r = self.returned
        if isinstance(r, Ref) and len(r.path) == 1:
            return self.lookup(r.path + [name])
        if isinstance(r, Table) and name in r.keys:
            return self.resolve(r.keys[name])
        return None, self

    def resolve(self, v):
        """Names and calls replaced by what they stand for, as far as it is known."""
        if isinstance(v, Ref):
            return self.lookup(v.path)
        if isinstance(v, Call) and isinstance(v.fn, Ref):
            fn = v.fn.path
            if fn == ["require"] and v.args and isinstance(v.args[0], str):
                m = self.load(v.args[0])
                return (m, m) if m else (None, self)
            if fn[-1] in ("define", "cycle_aware_deep_copy", "deep_copy") and v.args:
                return self.resolve(v.args[0])
            base, mod = self.lookup(fn)
            if isinstance(base, Table) and v.args and isinstance(v.args[0], Table):
                merged = Table()
                merged.items = list(base.items)
                merged.keys = {k: _Bound(x, mod) for k, x in base.keys.items()}
                merged.keys.update(v.args[0].keys)
                return merged, self
        if isinstance(v, _Bound):
            return v.mod.resolve(v.v)
        return v, self


class _Bound:
    """A value that belongs to another module (a typedef's keys after an override call)."""
    def __init__(self, v, mod):
        self.v, self.mod = v, mod
