#!/usr/bin/env python3
"""Checks that README.md still describes the real zmface.

    readme_check.py CHECK [BINARY [README [ROOT]]]

BINARY defaults to ROOT/.build/debug/zmface, README to ROOT/README.md, ROOT to the repository
this file lives in. CHECK is one of:

  flags        every --flag the README gives a zmface command (a `### zmface SUB ...` heading, the
               text under that heading, any `zmface SUB ... --flag` in code) is in `zmface SUB --help`
  options      every option in `--help` of a subcommand that has a `### zmface SUB` heading is
               mentioned under that heading or in a `zmface SUB ... --option` code line
  commands     the README's list of subcommands ("Every subcommand has `--help`...") is exactly
               the binary's
  config       every field of the worker.json table is accepted by the binary's configuration
               reader (`zmface serve --check` says "'FIELD' is not a known setting" otherwise)
  config-keys  every key the reader accepts (read from the Swift sources, each confirmed with the
               binary) has a row in the worker.json table
  modules      the module table under "How it is built" names exactly the targets Package.swift
               declares (.target, .systemLibrary, .executableTarget; test targets excluded)
  all          every check above

Each check exits 0 when it holds, else 1, and names every wrong item on stdout (indented lines, so
they never read as a PASS/FAIL line of Tests/cli/run.sh).
"""

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

OPTION_TOKEN = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*")
ALWAYS_ALLOWED = {"--help", "-h", "--version"}


class Problems:
    def __init__(self):
        self.items = []

    def add(self, text):
        self.items.append(text)

    def report(self):
        for item in self.items:
            print(f"    {item}")
        return 0 if not self.items else 1


# --- the binary ----------------------------------------------------------------------------------

class Binary:
    def __init__(self, path):
        self.path = os.path.abspath(path)
        self._help = {}

    def run(self, args, cwd=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZMFACE_")}
        return subprocess.run([self.path, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60)

    def help(self, words):
        key = tuple(words)
        if key not in self._help:
            result = self.run([*words, "--help"])
            if result.returncode != 0:
                raise RuntimeError(
                    f"`zmface {' '.join(words)} --help` exited {result.returncode}: {result.stderr.strip()}")
            self._help[key] = result.stdout
        return self._help[key]

    @staticmethod
    def sections(text):
        """{TITLE: [lines]} for argument-parser's `TITLE:` blocks (OPTIONS, SUBCOMMANDS, ...)."""
        sections, current = {}, None
        for line in text.splitlines():
            match = re.match(r"^([A-Z][A-Z -]*):(.*)$", line)
            if match:
                current = match.group(1)
                sections[current] = [match.group(2)] if match.group(2).strip() else []
            elif current is not None:
                sections[current].append(line)
        return sections

    def options(self, words):
        """Every option and flag name in `zmface WORDS --help` (both spellings of --[no-]x)."""
        names = set()
        for title, lines in self.sections(self.help(words)).items():
            if "OPTION" not in title and "FLAG" not in title:
                continue
            for line in lines:
                # An entry starts at column 2 with its names and value placeholders (`-c, --config
                # <config>`, `--faces/--persons`); wrapped help text is indented further, and the help
                # text may follow after a single space.
                match = re.match(r"^  ((?:(?:-[A-Za-z]|--[\w\[\]/-]+)(?:, | <[^>\s]*>(?:\.\.\.)?| |$))+)", line)
                if not match:
                    continue
                spec = re.sub(r"<[^>]*>", "", match.group(1))
                for token in re.findall(r"--\[no-\][\w-]+|--[\w-]+|(?<![\w-])-[A-Za-z]\b", spec):
                    if token.startswith("--[no-]"):
                        names.update({"--" + token[7:], "--no-" + token[7:]})
                    else:
                        names.add(token)
        if not names:
            raise RuntimeError(f"no options found in `zmface {' '.join(words)} --help`")
        return names

    def subcommands(self, words=()):
        names = []
        for line in self.sections(self.help(words)).get("SUBCOMMANDS", []):
            match = re.match(r"^  ([a-z][\w-]*)(?: \(default\))?(?:\s+|$)", line)
            if match:
                names.append(match.group(1))
        return names

    def command_tree(self):
        """{('db', 'migrate'): True, ('db',): False, ...}: True for a leaf (a runnable command)."""
        tree = {}

        def walk(prefix):
            for name in self.subcommands(prefix):
                words = (*prefix, name)
                children = self.subcommands(words)
                tree[words] = not children
                if children:
                    walk(words)

        walk(())
        if not tree:
            raise RuntimeError("`zmface --help` lists no subcommands")
        return tree


# --- the README ----------------------------------------------------------------------------------

class Readme:
    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as handle:
            self.lines = handle.read().splitlines()

    def code_pieces(self):
        """(line number, text, fenced) of every shell code line and every inline code span (code
        blocks marked as another language, such as sql or python, are not command lines)."""
        fenced, shell = False, False
        for number, line in enumerate(self.lines, 1):
            fence = re.match(r"^\s*```\s*(\w*)", line)
            if fence:
                fenced = not fenced
                shell = fenced and fence.group(1) in ("", "sh", "bash", "shell", "console")
                continue
            if fenced:
                if shell:
                    yield number, line, True
            else:
                for span in re.findall(r"`([^`]+)`", line):
                    yield number, span, False

    def section(self, title_pattern):
        """(first line number, lines) of the `## ` section whose title matches, up to the next `## `."""
        start = None
        for index, line in enumerate(self.lines):
            if start is None and re.match(r"^## " + title_pattern, line):
                start = index + 1
            elif start is not None and line.startswith("## "):
                return start + 1, self.lines[start:index]
        if start is None:
            raise RuntimeError(f"README has no '## {title_pattern}' section")
        return start + 1, self.lines[start:]

    def table_rows(self, title_pattern):
        """(line number, first cell) of each row of the first table of a section, header and rule
        excluded (later tables in the section, such as examples, are not part of it)."""
        first, lines = self.section(title_pattern)
        rows = []
        in_table = False
        for offset, line in enumerate(lines):
            if not line.startswith("|"):
                if in_table:
                    break
                continue
            in_table = True
            cell = line.split("|")[1].strip()
            if re.fullmatch(r"-+|:?-+:?", cell) or "`" not in cell:
                continue
            rows.append((first + offset, cell))
        return rows


def command_words(text, tree):
    """The longest run of leading words of `text` that names a command ((), when none does)."""
    tokens = text.split()
    words = ()
    for token in tokens:
        if (*words, token) in tree:
            words = (*words, token)
        else:
            break
    return words


def zmface_commands(readme, tree):
    """(line, words, text after them, problem) for each `zmface SUB ...` in code."""
    found = []
    for number, piece, fenced in readme.code_pieces():
        for match in re.finditer(r"(?:^|(?<=[\s/`(]))zmface[ \t]+([a-z][^\n]*)", piece):
            rest = match.group(1)
            if fenced:
                rest = re.split(r"\s#|\s\|\s|\s&&\s|;", rest)[0]
            words = command_words(rest, tree)
            tail = " ".join(rest.split()[len(words):])
            if not words:
                found.append((number, (), rest,
                              f"line {number}: `zmface {rest.split()[0]}` is not a zmface subcommand"))
            elif not tree[words]:
                found.append((number, words, tail,
                              f"line {number}: `zmface {' '.join(words)}` needs a subcommand: {rest.strip()}"))
            else:
                found.append((number, words, tail, None))
    return found


def command_sections(readme, tree, problems):
    """{words: (heading line, heading text, [(line, body text)])} for `### `zmface ...`` headings."""
    sections = {}
    current = None
    for number, line in enumerate(readme.lines, 1):
        heading = re.match(r"^(#{1,3}) (.*)$", line)
        if heading:
            current = None
            command = re.fullmatch(r"`zmface ([^`]+)`", heading.group(2).strip())
            if heading.group(1) == "###" and command:
                words = command_words(command.group(1), tree)
                if not words or not tree[words]:
                    problems.add(f"line {number}: heading `zmface {command.group(1)}` names no zmface subcommand")
                    continue
                current = words
                sections[words] = (number, command.group(1), [])
            continue
        if current is not None:
            sections[current][2].append((number, line))
    return sections


# --- checks --------------------------------------------------------------------------------------

def check_flags(binary, readme, root):
    problems = Problems()
    tree = binary.command_tree()
    reported = set()

    def verify(words, flag, number, context):
        # A heading is also an inline code span: report each line's wrong flag once.
        if flag in ALWAYS_ALLOWED or (number, words, flag) in reported:
            return
        if flag not in binary.options(words):
            reported.add((number, words, flag))
            problems.add(f"line {number} ({context}): `zmface {' '.join(words)}` has no option {flag}")

    sections = command_sections(readme, tree, problems)
    for words, (number, heading, body) in sections.items():
        for flag in OPTION_TOKEN.findall(heading):
            verify(words, flag, number, "heading")
        for line_number, line in body:
            # Flags inside another `zmface OTHER ...` span belong to that command (checked below).
            text = re.sub(r"`[^`]*\bzmface[ \t]+[a-z][^`]*`", "", line)
            if re.search(r"(?:^|\s)zmface[ \t]+[a-z]", text):
                text = text[: re.search(r"(?:^|\s)zmface[ \t]+[a-z]", text).start()]
            for flag in OPTION_TOKEN.findall(text):
                verify(words, flag, line_number, f"under `zmface {heading}`")
    for number, words, tail, problem in zmface_commands(readme, tree):
        if problem:
            problems.add(problem)
            continue
        for flag in OPTION_TOKEN.findall(tail):
            verify(words, flag, number, f"`zmface {' '.join(words)} {tail}`")
    return problems.report()


def check_options(binary, readme, root):
    problems = Problems()
    tree = binary.command_tree()
    sections = command_sections(readme, tree, problems)
    mentioned = {words: set() for words in sections}
    for words, (number, heading, body) in sections.items():
        mentioned[words].update(OPTION_TOKEN.findall(heading))
        for _, line in body:
            mentioned[words].update(OPTION_TOKEN.findall(line))
    for number, words, tail, problem in zmface_commands(readme, tree):
        if words in mentioned and not problem:
            mentioned[words].update(OPTION_TOKEN.findall(tail))
    for words, (number, heading, body) in sections.items():
        for option in sorted(binary.options(words) - ALWAYS_ALLOWED):
            if not option.startswith("--"):
                continue  # a short alias; its long form is what the README uses
            if option not in mentioned[words]:
                problems.add(f"`zmface {' '.join(words)} {option}` is not documented under its heading "
                             f"(line {number}) nor in any `zmface {' '.join(words)} ... {option}` example")
    return problems.report()


def check_commands(binary, readme, root):
    problems = Problems()
    tree = binary.command_tree()
    leaves = {words for words, leaf in tree.items() if leaf}
    paragraph = None
    for number, line in enumerate(readme.lines):
        if "Every subcommand has `--help`" in line:
            text = []
            for following in readme.lines[number:]:
                if not following.strip():
                    break
                text.append(following)
            paragraph = (number + 1, " ".join(text))
            break
    if paragraph is None:
        problems.add("README has no 'Every subcommand has `--help`' paragraph listing the subcommands")
        return problems.report()
    listed = set()
    for span in re.findall(r"`([^`]+)`", paragraph[1].split(":", 1)[1]):
        parts = span.split()
        for last in parts[-1].split("|"):
            listed.add((*parts[:-1], last))
    for words in sorted(leaves - listed):
        problems.add(f"line {paragraph[0]}: subcommand `{' '.join(words)}` is missing from the list")
    for words in sorted(listed - leaves):
        problems.add(f"line {paragraph[0]}: `{' '.join(words)}` is listed but is not a zmface subcommand")
    return problems.report()


def documented_fields(readme):
    """{field: line} of the worker.json table; `a.b`, `c` in one cell means a.b and a.c."""
    fields = {}
    for number, cell in readme.table_rows(r"Configuration: `worker\.json`"):
        names = re.findall(r"`([^`]+)`", cell)
        section = names[0].rsplit(".", 1)[0] + "." if "." in names[0] else ""
        for index, name in enumerate(names):
            if not re.fullmatch(r"[A-Za-z][\w.]*", name):
                continue
            fields[name if index == 0 or "." in name else section + name] = number
    if not fields:
        raise RuntimeError("no rows found in the worker.json table")
    return fields


class ConfigReader:
    """Asks the binary whether it accepts a worker.json field: `serve --check` with a file that holds
    only that field, looking for the reader's "configuration field 'F' is not a known setting". The
    value is 0: a known field is read, and at worst refused for its type or range, with a different
    message (null would not do: `classifier.minProba` is read only when it is not null)."""

    def __init__(self, binary):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="readme-check-")
        atexit.register(shutil.rmtree, self.work, True)
        self.cache = {}
        result = binary.run(["keygen", "server", "--directory", self.work])
        if result.returncode != 0:
            raise RuntimeError(f"`zmface keygen` failed: {result.stderr.strip()}")
        self.secret_key = os.path.join(self.work, "server.key_secret")
        self.verify_mechanism()

    def document(self, field):
        parts = field.split(".")
        document, node = {}, None
        node = document
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = 0
        if parts[0] == "curve":  # the curve section refuses to load without its key
            curve = document["curve"]
            curve["secretKey"] = self.secret_key
        return document

    def output(self, field):
        if field not in self.cache:
            path = os.path.join(self.work, "worker.json")
            with open(path, "w") as handle:
                json.dump(self.document(field), handle)
            result = self.binary.run(["serve", "--check", "--config", path], cwd=self.work)
            self.cache[field] = result.stdout + result.stderr
        return self.cache[field]

    def accepts(self, field):
        text = self.output(field)
        if "cannot read configuration" in text:
            raise RuntimeError(f"the configuration for {field} was not read: {text.strip()}")
        return f"'{field}' is not a known setting" not in text

    def verify_mechanism(self):
        for bogus in ("zzBogusTopLevel", "zoneminder.zzBogus", "curve.zzBogus"):
            if self.accepts(bogus):
                raise RuntimeError(
                    f"the binary did not report the made-up field {bogus} as unknown "
                    f"(it said: {self.output(bogus).strip()!r}); this check cannot work")


def check_config(binary, readme, root):
    problems = Problems()
    reader = ConfigReader(binary)
    for field, number in sorted(documented_fields(readme).items()):
        if not reader.accepts(field):
            problems.add(f"line {number}: `{field}` is not a worker.json field "
                         f"(zmface serve --check: '{field}' is not a known setting)")
    return problems.report()


def swift_config_keys(root):
    """Every worker.json key read through JSONFields in Sources/**/*.swift, as dotted paths.

    A JSONFields value comes from `JSONFields(x, path: "P")`, from `V.object("K")` (path of V + K),
    or is a parameter `inout JSONFields` whose path is that of the variable passed at its call
    sites. Reads are calls `V.M("K"` where M is a mutating method of JSONFields taking the key
    first (read from JSONFields' own declaration, so a new typed read is picked up). Anything this
    cannot resolve is an error, never a silent gap."""
    sources = {}
    for directory, _, files in os.walk(os.path.join(root, "Sources")):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(directory, name), encoding="utf-8") as handle:
                    text = handle.read()
                if "JSONFields" in text:
                    # Comments out ("//" after a space or at the start, so "ipc:///x" stays).
                    sources[os.path.relpath(os.path.join(directory, name), root)] = re.sub(
                        r"(?m)(^|\s)//[^\n]*", r"\1", text)
    declaration = next((text for text in sources.values() if re.search(r"struct JSONFields\b", text)), None)
    if declaration is None:
        raise RuntimeError("struct JSONFields not found under Sources")
    body = declaration[re.search(r"struct JSONFields\b", declaration).start():]
    readers = set(re.findall(r"mutating func (\w+)\(_ key: String", body))
    readers.discard("field")
    if not {"int", "string", "object"} <= readers:
        raise RuntimeError(f"JSONFields' typed reads not recognised (found {sorted(readers)})")

    paths, errors = {}, []

    def bind(name, path, where):
        if name in paths and paths[name] != path:
            errors.append(f"{where}: JSONFields variable `{name}` is both '{paths[name]}' and '{path}'; "
                          "readme_check.py cannot tell them apart")
        paths[name] = path

    def join(parent, key):
        return key if parent == "" else f"{parent}.{key}"

    # Roots, then sections and parameters until nothing new is bound.
    for file, text in sources.items():
        for name, path in re.findall(r"\b(\w+)\s*=\s*try\s+JSONFields\([^)]*path:\s*\"([^\"]*)\"\)", text):
            bind(name, path, file)
    for _ in range(10):
        before = dict(paths)
        for file, text in sources.items():
            for name, parent, key in re.findall(r"\b(\w+)\s*=\s*try\s+(\w+)\.object\(\"([^\"]+)\"\)", text):
                if parent in paths:
                    bind(name, join(paths[parent], key), file)
            for function, parameter in re.findall(r"func (\w+)\(_ (\w+): inout JSONFields\)", text):
                for other in sources.values():
                    for argument in re.findall(rf"\b{function}\(&(\w+)\)", other):
                        if argument in paths:
                            bind(parameter, paths[argument], file)
        if paths == before:
            break
    keys = {}
    for file, text in sources.items():
        for name, method, argument in re.findall(r"(?<![\w.])(\w+)\.(\w+)\(([^,)]*)", text):
            if method not in readers or name not in paths:
                continue
            if paths[name] == "faceDetServer":
                continue  # the original's config.json, not worker.json (see "Migrating")
            literal = re.fullmatch(r"\s*\"([^\"]+)\"\s*", argument)
            if not literal:
                errors.append(f"{file}: `{name}.{method}({argument})` reads a key readme_check.py cannot see")
                continue
            if method != "object":
                keys[join(paths[name], literal.group(1))] = file
    for file, text in sources.items():
        for name in set(re.findall(r"(?<![\w.])(\w+)\.rejectUnknownFields\(\)", text)) - set(paths):
            errors.append(f"{file}: JSONFields variable `{name}` has no known path; readme_check.py cannot read it")
    return keys, errors


def check_config_keys(binary, readme, root):
    problems = Problems()
    keys, errors = swift_config_keys(root)
    for error in errors:
        problems.add(error)
    reader = ConfigReader(binary)
    documented = documented_fields(readme)
    for key, file in sorted(keys.items()):
        if not reader.accepts(key):
            problems.add(f"{file} seems to read `{key}`, but the binary calls it unknown: readme_check.py "
                         "misreads the Swift source")
        elif key not in documented:
            problems.add(f"worker.json field `{key}` ({file}) has no row in the README's worker.json table")
    for field in sorted(set(documented) - set(keys)):
        if reader.accepts(field):
            problems.add(f"the binary accepts `{field}` but readme_check.py did not find where "
                         "Sources read it: update swift_config_keys")
    if not keys:
        problems.add("no worker.json keys found in the Swift sources")
    return problems.report()


def check_modules(binary, readme, root):
    problems = Problems()
    with open(os.path.join(root, "Package.swift"), encoding="utf-8") as handle:
        package = re.sub(r"(?m)(^|\s)//[^\n]*", r"\1", handle.read())
    declared = {}
    for kind, name in re.findall(r"\.(target|systemLibrary|executableTarget)\(\s*name:\s*\"([^\"]+)\"", package):
        declared[name] = kind
    if not declared:
        problems.add("no targets found in Package.swift")
    documented = {}
    for number, cell in readme.table_rows("How it is built"):
        for name in re.findall(r"`([^`]+)`", cell):
            name = name.removeprefix("Sources/")
            if name in documented:
                problems.add(f"line {number}: `{name}` has two rows (also line {documented[name]})")
            documented[name] = number
    for name in sorted(set(declared) - set(documented)):
        problems.add(f"Package.swift .{declared[name]}(name: \"{name}\") has no row in the README's module table")
    for name in sorted(set(documented) - set(declared)):
        problems.add(f"line {documented[name]}: `Sources/{name}` is not a target in Package.swift")
    return problems.report()


CHECKS = {
    "flags": check_flags,
    "options": check_options,
    "commands": check_commands,
    "config": check_config,
    "config-keys": check_config_keys,
    "modules": check_modules,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in (*CHECKS, "all"):
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(argv[4] if len(argv) > 4 else os.path.join(os.path.dirname(__file__), "..", ".."))
    binary = os.path.abspath(argv[2] if len(argv) > 2 else os.path.join(root, ".build/debug/zmface"))
    readme = Readme(argv[3] if len(argv) > 3 else os.path.join(root, "README.md"))
    names = list(CHECKS) if argv[1] == "all" else [argv[1]]
    failed = 0
    for name in names:
        if name != "modules" and not os.access(binary, os.X_OK):
            print(f"    {binary} is not an executable zmface")
            status = 1
        else:
            try:
                status = CHECKS[name](Binary(binary), readme, root)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                print(f"    cannot check: {error}")
                status = 1
        if argv[1] == "all":
            print(f"{'PASS' if status == 0 else 'FAIL'} README {name}")
        failed += status != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
