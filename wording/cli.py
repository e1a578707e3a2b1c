"""The ``wording`` command line.

    wording check FILE|- [--context FILE] [--lang xx] [--goal satisfaction|action] [--format text|json]
    wording check --jsonl IN.jsonl            # batch: one {"id", "report"|"error"} line per input
    wording context --jsonl IN.jsonl          # one {"id", "type", "scores"} line per input
    wording serve [--host 127.0.0.1] [--port 8080] [--workers N]
    wording standards lint FILE | wording standards show [FILE]

Errors are one line on stderr and a non-zero exit (2 for bad input, 3 for bad configuration), never a
traceback. Drafts are never written anywhere but stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import click

from .errors import ConfigError, WordingError

EXIT_INPUT = 2
EXIT_CONFIG = 3

_COLOURS = {
    "over_apology": "yellow",
    "news_order": "cyan",
    "promo_clash": "red",
    "customer_effort": "magenta",
    "missing_acknowledgement": "blue",
    "missing_next_step": "blue",
}


def _fail(exc: WordingError) -> None:
    click.echo(f"wording: {exc.code}: {exc.message}", err=True)
    sys.exit(EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_INPUT)


def _read(path: str, what: str) -> str:
    """Read a UTF-8 file (or stdin for '-'), with a clear error for anything else."""
    from .errors import InputError, InvalidEncoding

    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such {what} file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"the {what} path is a directory: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(
            f"the {what} file {path} is not UTF-8 (byte {exc.start}: {exc.reason}); convert it, e.g. with iconv"
        ) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wording")
def main() -> None:
    """wording: better wording for customer-support replies."""


def _highlight(report: Any, draft: str) -> str:
    marks: list[tuple[int, int, str]] = []
    for f in report.findings:
        for s in f.spans:
            marks.append((s.start, s.end, _COLOURS.get(f.check, "green")))
    marks.sort()
    out, pos = [], 0
    for start, end, colour in marks:
        if start < pos:
            continue
        out.append(draft[pos:start])
        out.append(click.style(draft[start:end], fg=colour, underline=True, bold=True))
        pos = end
    out.append(draft[pos:])
    return "".join(out)


def _text_report(report: Any, draft: str) -> str:
    lines = [
        click.style("wording", bold=True)
        + f"  language: {report.language.code} ({report.language.source})"
        + f"  context: {report.context.type} ({report.context.source})"
        + f"  engine: {report.engine.name}",
    ]
    if report.engine.reason:
        lines.append(click.style(f"  note: {report.engine.reason}", dim=True))
    lines.append("")
    lines.append(_highlight(report, draft).rstrip())
    lines.append("")
    if not report.findings:
        lines.append(click.style("No problems found.", fg="green"))
    for f in report.findings:
        colour = _COLOURS.get(f.check, "green")
        lines.append(click.style(f"[{f.severity}] {f.check}", fg=colour, bold=True) + f": {f.message}")
        for s in f.spans:
            lines.append(f"    {s.start}-{s.end}: {s.text!r}")
        lines.append(click.wrap_text(f.explanation, initial_indent="    ", subsequent_indent="    "))
        lines.append(click.style(f"    source: {f.source.citation}", dim=True))
    if report.rewrite.changed:
        lines.append("")
        lines.append(click.style("Suggested reply:", bold=True))
        text = report.rewrite.text
        out, pos = [], 0
        for p in report.rewrite.placeholders:
            out.append(text[pos : p.start])
            out.append(click.style(p.text, fg="black", bg="yellow"))
            pos = p.end
        out.append(text[pos:])
        lines.append("".join(out).rstrip())
        if report.rewrite.placeholders:
            lines.append(click.style("Fill in the highlighted placeholders before sending.", dim=True))
        for note in report.rewrite.notes:
            lines.append(click.style(f"  note: {note}", dim=True))
    return "\n".join(lines)


def _batch(stream: IO[str], out: IO[str], standards: Any, progress: bool) -> int:
    from .pipeline import check

    lines = stream.readlines()
    failures = 0
    iterator: Any = lines
    if progress:
        from tqdm import tqdm

        iterator = tqdm(lines, desc="checking", unit="draft", file=sys.stderr, disable=len(lines) < 20)
    for n, line in enumerate(iterator, start=1):
        if not line.strip():
            continue
        item_id: Any = n
        try:
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _LineError("invalid_json", f"line {n} is not JSON: {exc.msg}") from None
            if not isinstance(item, dict):
                raise _LineError("invalid_input", f"line {n} must be a JSON object")
            item_id = item.get("id", n)
            if "draft" not in item:
                raise _LineError("invalid_input", f"line {n} has no 'draft'")
            report = check(
                item["draft"],
                context=item.get("context"),
                language=item.get("language"),
                goal=item.get("goal", "satisfaction"),
                standards=standards,
            )
            out.write(json.dumps({"id": item_id, "report": report.to_dict()}, ensure_ascii=False) + "\n")
        except _LineError as exc:
            failures += 1
            out.write(json.dumps({"id": item_id, "error": {"code": exc.code, "message": exc.message}}) + "\n")
        except WordingError as exc:
            failures += 1
            out.write(json.dumps({"id": item_id, "error": {"code": exc.code, "message": exc.message}}) + "\n")
        out.flush()
    return failures


class _LineError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _load_standards(path: str | None) -> Any:
    from .standards import default_standards, load_standards

    return load_standards(path) if path else default_standards()


@main.command("check")
@click.argument("file", required=False)
@click.option("--context", "context_file", metavar="FILE", help="File with the customer's message ('-' for stdin).")
@click.option("--lang", "language", metavar="xx", help="Language of the draft (en, ru, lv, ar, hy); detected if absent.")
@click.option("--goal", type=click.Choice(["satisfaction", "action"]), default="satisfaction", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--jsonl", "jsonl", metavar="IN.jsonl", help="Batch mode: one JSON object per line ('-' for stdin).")
@click.option("--standards", "standards_file", metavar="FILE", envvar="WORDING_STANDARDS", help="A team standards file.")
def check_cmd(
    file: str | None,
    context_file: str | None,
    language: str | None,
    goal: str,
    fmt: str,
    jsonl: str | None,
    standards_file: str | None,
) -> None:
    """Check a draft reply FILE ('-' for stdin) and propose a better wording."""
    from .pipeline import check

    try:
        standards = _load_standards(standards_file)
        if jsonl:
            if file:
                raise click.UsageError("give either FILE or --jsonl, not both")
            if jsonl == "-":
                _batch(sys.stdin, sys.stdout, standards, progress=True)
            else:
                try:
                    with open(jsonl, encoding="utf-8") as fh:
                        _batch(fh, sys.stdout, standards, progress=True)
                except FileNotFoundError:
                    from .errors import InputError

                    raise InputError(f"no such batch file: {jsonl}") from None
                except UnicodeDecodeError as exc:
                    from .errors import InvalidEncoding

                    raise InvalidEncoding(f"the batch file {jsonl} is not UTF-8 ({exc.reason})") from None
            return
        if not file:
            raise click.UsageError("give a FILE ('-' for stdin) or --jsonl IN.jsonl")
        draft = _read(file, "draft")
        context = _read(context_file, "context") if context_file else None
        report = check(draft, context=context, language=language, goal=goal, standards=standards)  # type: ignore[arg-type]
    except WordingError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(report.to_json(indent=2))
    else:
        click.echo(_text_report(report, draft))


@main.command("context")
@click.option("--jsonl", "jsonl", required=True, metavar="IN.jsonl", help="One {\"id\", \"text\"} object per line.")
def context_cmd(jsonl: str) -> None:
    """Classify customers' messages: complaint, inquiry, praise or other."""
    from .context import context_jsonl

    try:
        if jsonl == "-":
            context_jsonl(sys.stdin, sys.stdout)
        else:
            try:
                with open(jsonl, encoding="utf-8") as fh:
                    context_jsonl(fh, sys.stdout)
            except FileNotFoundError:
                from .errors import InputError

                raise InputError(f"no such file: {jsonl}") from None
    except WordingError as exc:
        _fail(exc)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--config", "config", metavar="FILE", envvar="WORDING_CONFIG", help="Server settings file.")
def serve_cmd(host: str, port: int, workers: int, config: str | None) -> None:
    """Serve the web page and the HTTP API under gunicorn."""
    try:
        from web.serve import run
    except ImportError as exc:
        click.echo(f"wording: the web app is not installed: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    try:
        run(host=host, port=port, workers=workers, config=config)
    except WordingError as exc:
        _fail(exc)


@main.group("standards")
def standards_group() -> None:
    """Team standards files: validate them and show the effective rules."""


@standards_group.command("lint")
@click.argument("file")
def standards_lint(file: str) -> None:
    """Validate FILE and run every example it contains."""
    from .standards_tools import lint

    try:
        ok, problems = lint(file)
    except WordingError as exc:
        _fail(exc)
        return
    for problem in problems:
        click.echo(problem, err=not ok)
    if not ok:
        sys.exit(EXIT_CONFIG)
    click.echo(f"{file}: OK")


@standards_group.command("show")
@click.argument("file", required=False)
def standards_show(file: str | None) -> None:
    """Print the effective standards (the defaults, merged with FILE when given)."""
    from .standards_tools import show

    try:
        click.echo(show(_load_standards(file)))
    except WordingError as exc:
        _fail(exc)


if __name__ == "__main__":
    main()
