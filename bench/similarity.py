"""Benchmark of the archive similarity check (issue 4).

Builds an archive of N generated Vietnamese initiatives, plants copies of
archive documents (5, 10, 20, 50 and 100 % of the new text, plain and
disguised) and unrelated same-topic documents, and prints, side by side for
the engine and two baselines (a naive scikit-learn TF-IDF + cosine search and
datasketch MinHash LSH): check latency, build rate, incremental add time,
index size, peak memory, precision and recall per planted fraction.

    .venv/bin/python bench/similarity.py --n 100000 --dsn postgresql://postgres@127.0.0.1/sangkien_bench

The corpus: sentences of the VLSP 2013 POS-tagged test set shipped inside the
underthesea wheel are the templates; most of their nouns, verbs and
adjectives are replaced by words of the document's topic (drawn from the
same corpus and from underthesea's Viet74K word list), so documents are new
text while keeping real Vietnamese structure, and documents of one topic share
vocabulary (which is what fools whole-document TF-IDF). Every document is laid
out as an initiative form, with the same headings and stock phrases, which
the check must never take for copying. Generated corpora are cached under
var/bench/ (gitignored).

Each system is built and queried in its own forked process so its peak RSS
(getrusage) is its own. PostgreSQL server memory is not counted in it.
"""

from __future__ import annotations

import argparse
import bisect
import json
import multiprocessing
import os
import random
import re
import resource
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text import sentence_bounds, syllable_spans, tone_style_pairs  # noqa: E402
from dedup.engine import Engine, EngineConfig, MemoryStore, Source  # noqa: E402
from dedup.engine.fingerprint import kgram_hashes  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO / "var" / "bench"
SHARD_SIZE = 10_000
RECORD_SEPARATOR = "\x1e"

FRACTIONS = (0.05, 0.10, 0.20, 0.50, 1.00)
DISGUISES = ("exact", "nfd", "tone", "case_punct", "reorder", "words", "all")

TOPICS = (
    "Cơ khí chế tạo",
    "Điện lực",
    "Chế biến thủy sản",
    "Dệt may và da giày",
    "Giáo dục và đào tạo",
    "Y tế",
    "Xây dựng",
    "Giao thông vận tải",
    "Nông nghiệp",
    "Công nghệ thông tin",
    "Cải cách hành chính",
    "Tài chính kế toán",
    "Bảo vệ môi trường",
    "Khai thác khoáng sản",
    "Dầu khí",
    "Bưu chính viễn thông",
    "Thương mại dịch vụ",
    "An toàn vệ sinh lao động",
    "Hóa chất",
    "Du lịch",
)

# The initiative form (Decree 13/2012/NĐ-CP): every document carries these.
FORM_HEADINGS = (
    "Mô tả bản chất của sáng kiến.",
    "Tình trạng giải pháp đã biết và những nhược điểm cần khắc phục.",
    "Nội dung giải pháp đề nghị công nhận là sáng kiến.",
    "Khả năng áp dụng của sáng kiến và những điều kiện cần thiết để áp dụng.",
    "Đánh giá lợi ích thu được hoặc dự kiến có thể thu được do áp dụng sáng kiến"
    " theo ý kiến của tác giả.",
    "Những người đã tham gia áp dụng sáng kiến lần đầu.",
)
STOCK_CLOSING = (
    "Tôi xin cam đoan mọi thông tin nêu trong đơn là trung thực, đúng sự thật và hoàn toàn"
    " chịu trách nhiệm trước pháp luật."
)

_VLSP = Path("pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt")
_VIET74K = Path("corpus/data/Viet74K.txt")
_CONTENT_TAGS = ("N", "V", "A")
_FUNCTION_TAGS = ("E", "C", "Cc", "R", "L", "P")
_NO_SPACE_BEFORE = set(",.;:!?)”…%")
_NO_SPACE_AFTER = set("(“")


def _underthesea_dir() -> Path:
    import underthesea

    return Path(underthesea.__file__).resolve().parent


# Corpus generation ---------------------------------------------------------


class VietnameseCorpus:
    """Deterministic generator: document ``i`` of seed ``s`` is always the same.

    Sentence skeletons come from the ~1,900 VLSP sentences, so at 1M documents
    each is reused thousands of times; real unrelated initiatives do not share
    long skeletons. To keep unrelated documents from sharing 5-syllable runs
    far more often than real text does, content words, proper nouns and
    numbers are replaced with probability 0.9 and function words with 0.3
    (by a function word of the same POS tag).
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        base = _underthesea_dir()
        self.templates = _read_templates(base / _VLSP)
        self._template_syllables = [
            sum(_count_syllables(word) for word, _ in template) for template in self.templates
        ]
        order = sorted(range(len(self.templates)), key=self._template_syllables.__getitem__)
        self._templates_by_length = [self.templates[i] for i in order]
        self._sorted_lengths = [self._template_syllables[i] for i in order]
        pools = _word_pools(self.templates)
        dictionary = _dictionary_words(base / _VIET74K)
        rng = random.Random(seed)
        self.function_words = {tag: pools[tag] for tag in _FUNCTION_TAGS if tag in pools}
        self.proper_nouns = pools["Np"]
        self.topic_words: list[dict[str, list[str]]] = []
        for _ in TOPICS:
            words = {tag: rng.sample(pools[tag], len(pools[tag]) * 3 // 10) for tag in "NVA"}
            words["N"] = words["N"] + rng.sample(dictionary, len(dictionary) // 40)
            self.topic_words.append(words)

    def topic_of(self, index: int) -> int:
        return random.Random(f"{self.seed}:topic:{index}").randrange(len(TOPICS))

    def document(self, index: int, *, topic: int | None = None) -> str:
        rng = random.Random(f"{self.seed}:doc:{index}")
        topic = self.topic_of(index) if topic is None else topic
        target = rng.randint(300, 1500)
        return self.compose(rng, topic, target, minimum=300)

    def compose(
        self, rng: random.Random, topic: int, target_syllables: int, minimum: int = 0
    ) -> str:
        """An initiative form of at most ``target_syllables`` syllables (a
        few short of it at worst: sections stop at the last sentence that fits)."""
        title = self.sentence(rng, topic, max_syllables=14).rstrip(".")
        lines = [f"Tên sáng kiến: {title}.", f"Lĩnh vực áp dụng: {TOPICS[topic]}."]
        fixed = sum(_count_syllables(t) for t in (*lines, *FORM_HEADINGS, STOCK_CLOSING))
        per_section = max(target_syllables - fixed, 60) // len(FORM_HEADINGS)
        for heading in FORM_HEADINGS:
            lines.append(heading)
            paragraph: list[str] = []
            written = 0
            while per_section - written >= 8:
                sentence = self.sentence(rng, topic, max_syllables=per_section - written)
                length = _count_syllables(sentence)
                if written + length > per_section:
                    break
                paragraph.append(sentence)
                written += length
                if len(paragraph) >= 4 and rng.random() < 0.3:
                    lines.append(" ".join(paragraph))
                    paragraph = []
            if paragraph:
                lines.append(" ".join(paragraph))
        total = sum(_count_syllables(line) for line in lines) + _count_syllables(STOCK_CLOSING)
        while total < minimum:  # short targets: top the last section up
            sentence = self.sentence(rng, topic, max_syllables=30)
            lines[-1] += " " + sentence
            total += _count_syllables(sentence)
        lines.append(STOCK_CLOSING)
        return "\n".join(lines)

    def sentence(self, rng: random.Random, topic: int, max_syllables: int = 60) -> str:
        fitting = max(bisect.bisect_right(self._sorted_lengths, max_syllables), 1)
        template = self._templates_by_length[int(rng.random() * fitting)]
        words = self.topic_words[topic]
        random_number = rng.random
        out: list[str] = []
        for word, tag in template:
            if tag in _CONTENT_TAGS:
                if random_number() < 0.9:
                    pool = words[tag]
                    word = pool[int(random_number() * len(pool))]
            elif tag == "Np":
                if random_number() < 0.9:
                    word = self.proper_nouns[int(random_number() * len(self.proper_nouns))]
            elif tag == "M":
                if random_number() < 0.9 and word.isdigit():
                    word = str(int(random_number() * 2000))
            elif tag in self.function_words and random_number() < 0.3:
                pool = self.function_words[tag]
                word = pool[int(random_number() * len(pool))]
            out.append(word)
        text = _detokenize(out)
        return text[0].upper() + text[1:]


def _read_templates(path: Path) -> list[list[tuple[str, str]]]:
    templates: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if 6 <= len(current) <= 80 and current[-1][0] in ".!?":
                templates.append(current)
            current = []
            continue
        word, tag = line.split("\t")[:2]
        current.append((word, tag[2:]))
    return templates


def _word_pools(templates: list[list[tuple[str, str]]]) -> dict[str, list[str]]:
    pools: dict[str, set[str]] = defaultdict(set)
    for template in templates:
        for word, tag in template:
            if not word.replace(" ", "").isalpha():
                continue
            if tag == "Np" or (tag in _CONTENT_TAGS or tag in _FUNCTION_TAGS) and word.islower():
                pools[tag].add(word)
    return {tag: sorted(words) for tag, words in pools.items()}


def _dictionary_words(path: Path) -> list[str]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word.islower() and word.replace(" ", "").isalpha() and word.count(" ") <= 2:
            words.append(word)
    return sorted(set(words))


def _detokenize(words: list[str]) -> str:
    out: list[str] = []
    for word in words:
        if out and (word[0] in _NO_SPACE_BEFORE or out[-1][-1] in _NO_SPACE_AFTER):
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out)


_SYLLABLE_RE = re.compile(r"[^\W_]+")


def _count_syllables(text: str) -> int:
    return len(_SYLLABLE_RE.findall(text))


# Cached corpora --------------------------------------------------------------


def _corpus_dir(seed: int) -> Path:
    return CACHE_DIR / f"corpus-seed{seed}"


def _shard_path(seed: int, shard: int) -> Path:
    return _corpus_dir(seed) / f"shard-{shard:05d}.txt"


def _write_shard(args: tuple[int, int]) -> int:
    seed, shard = args
    path = _shard_path(seed, shard)
    if path.exists():
        return shard
    corpus = _corpus_for(seed)
    start = shard * SHARD_SIZE
    texts = [corpus.document(i) for i in range(start, start + SHARD_SIZE)]
    temporary = path.with_suffix(".tmp")
    temporary.write_text(RECORD_SEPARATOR.join(texts), encoding="utf-8")
    temporary.rename(path)
    return shard


_CORPORA: dict[int, VietnameseCorpus] = {}


def _corpus_for(seed: int) -> VietnameseCorpus:
    if seed not in _CORPORA:
        _CORPORA[seed] = VietnameseCorpus(seed)
    return _CORPORA[seed]


def ensure_corpus(n: int, seed: int, processes: int) -> None:
    """Generate (once) and cache the first ``n`` documents in 10k-doc shards."""
    _corpus_dir(seed).mkdir(parents=True, exist_ok=True)
    shards = [(seed, s) for s in range(-(-n // SHARD_SIZE)) if not _shard_path(seed, s).exists()]
    if not shards:
        return
    _log(f"generating {len(shards)} corpus shards of {SHARD_SIZE} documents ...")
    started = time.perf_counter()
    _corpus_for(seed)  # load templates once before forking
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for done, _ in enumerate(pool.imap_unordered(_write_shard, shards), 1):
            if done % 10 == 0 or done == len(shards):
                _log(f"  {done}/{len(shards)} shards, {time.perf_counter() - started:.0f} s")


def read_shard(seed: int, shard: int) -> list[str]:
    return _shard_path(seed, shard).read_text(encoding="utf-8").split(RECORD_SEPARATOR)


def _prepared_shard(args: tuple[int, int, int]) -> list[Any]:
    """The prepared (fingerprinted, compressed) documents of one shard,
    generated here when the shard is not cached (``--generate-in-workers``)."""
    from dedup.engine.engine import boilerplate_hashes, prepare_source

    seed, shard, n = args
    config = engine_config()
    boilerplate = boilerplate_hashes(config)
    start = shard * SHARD_SIZE
    stop = min(start + SHARD_SIZE, n)
    if _shard_path(seed, shard).exists():
        texts = read_shard(seed, shard)[: stop - start]
    else:
        corpus = _corpus_for(seed)
        texts = [corpus.document(i) for i in range(start, stop)]
    return [
        prepare_source(archive_source(start + offset, text), config, boilerplate)
        for offset, text in enumerate(texts)
    ]


def rebuild_generating(engine: Engine, n: int, seed: int, processes: int, progress) -> int:
    """``Engine.rebuild`` with the corpus generated by the build's own workers.

    The same store writes (``bulk_load``) and the same ``prepare_source`` in
    forked workers as ``Engine.rebuild``; only the texts of shards not cached
    are generated in the workers instead of read from disk, so the corpus
    never has to be written out first (at 1M that is ~40 minutes on a busy
    machine). The build time then includes generating those documents.
    """
    _corpus_for(seed)  # load the templates once, before forking
    shards = [(seed, shard, n) for shard in range(-(-n // SHARD_SIZE))]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        prepared = (item for batch in pool.imap(_prepared_shard, shards) for item in batch)
        return engine.store.bulk_load(
            prepared, common_df=engine.config.common_df, progress=progress
        )


def iter_archive(n: int, seed: int) -> Iterator[tuple[int, str]]:
    for shard in range(-(-n // SHARD_SIZE)):
        for offset, text in enumerate(read_shard(seed, shard)):
            index = shard * SHARD_SIZE + offset
            if index >= n:
                return
            yield index, text


def archive_source(index: int, text: str) -> Source:
    return Source(
        id=f"initiative:{index}",
        kind="initiative",
        ref=str(index),
        text=text,
        author_keys=frozenset({f"user:{index}"}),
    )


# Planted queries ---------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    text: str
    source_index: int  # -1: unrelated document, nothing to find
    fraction: float  # nominal planted fraction, 0 for unrelated
    actual_fraction: float
    disguise: str


_OLD_TO_NEW = tone_style_pairs()
_NEW_TO_OLD = {new: old for old, new in _OLD_TO_NEW.items()}
# Open syllables only: that is where the two styles differ ("hoà"/"hòa").
_TONE_FLIP_RE = re.compile(
    r"(?<!q)(?:" + "|".join(sorted({*_OLD_TO_NEW, *_NEW_TO_OLD})) + r")(?![^\W\d_])"
)


def flip_tone_style(text: str) -> str:
    """hoà <-> hòa, thuỷ <-> thủy, khoẻ <-> khỏe, in both directions."""
    return _TONE_FLIP_RE.sub(lambda m: _OLD_TO_NEW.get(m.group(), _NEW_TO_OLD.get(m.group())), text)


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_bounds(text)]


def disguise_passage(passage: str, disguise: str, rng: random.Random, words: list[str]) -> str:
    if disguise in ("tone", "all"):
        passage = flip_tone_style(passage)
    if disguise in ("reorder", "all"):
        sentences = _sentences(passage)
        rng.shuffle(sentences)
        passage = " ".join(sentences)
    if disguise in ("words", "all"):
        kept = []
        for word in passage.split(" "):
            roll = rng.random()
            if roll < 0.05:
                continue  # dropped
            if roll < 0.10:
                word = rng.choice(words)  # changed
            kept.append(word)
        passage = " ".join(kept)
    if disguise in ("case_punct", "all"):
        sentences = []
        for sentence in _sentences(passage):
            sentence = sentence.replace(",", "")
            style = rng.random()
            if style < 0.3:
                sentence = sentence.upper()
            elif style < 0.6:
                sentence = sentence.title()
            sentence = sentence.rstrip(".") + rng.choice((";", "!", " -", "..."))
            sentences.append(sentence)
        passage = " ".join(sentences)
    return passage


def make_queries(
    *,
    corpus: VietnameseCorpus,
    source_pool: int,
    copies: int,
    unrelated: int,
    seed: int,
) -> list[Query]:
    """Planted copies of random documents among the first ``source_pool``,
    round-robin over fractions and disguises, plus unrelated documents."""
    rng = random.Random(f"{seed}:queries")
    plans = []
    for i in range(copies):
        fraction = FRACTIONS[i % len(FRACTIONS)]
        disguise = DISGUISES[(i // len(FRACTIONS)) % len(DISGUISES)]
        plans.append((rng.randrange(source_pool), fraction, disguise))
    needed: dict[int, list[int]] = defaultdict(list)
    for plan_index, (source_index, _, _) in enumerate(plans):
        needed[source_index // SHARD_SIZE].append(plan_index)
    source_texts: dict[int, str] = {}
    for shard, plan_indices in needed.items():
        texts = read_shard(corpus.seed, shard)
        for plan_index in plan_indices:
            source_index = plans[plan_index][0]
            source_texts[source_index] = texts[source_index % SHARD_SIZE]

    queries: list[Query] = []
    fresh = 10**9  # document indices never used by the archive
    for plan_index, (source_index, fraction, disguise) in enumerate(plans):
        source_text = source_texts[source_index]
        topic = corpus.topic_of(source_index)
        query_rng = random.Random(f"{seed}:plant:{plan_index}")
        topic_words = corpus.topic_words[topic]["N"]
        if fraction >= 1.0:
            text = disguise_passage(source_text, disguise, query_rng, topic_words)
            actual = 1.0
        else:
            text, actual = _plant(
                corpus, source_text, fraction, disguise, topic, query_rng, fresh + plan_index
            )
        if disguise in ("nfd", "all"):
            text = unicodedata.normalize("NFD", text)
        queries.append(Query(text, source_index, fraction, actual, disguise))
    for i in range(unrelated):
        index = fresh + copies + i
        text = corpus.document(index, topic=corpus.topic_of(rng.randrange(source_pool)))
        queries.append(Query(text, -1, 0.0, 0.0, "unrelated"))
    return queries


def _plant(
    corpus: VietnameseCorpus,
    source_text: str,
    fraction: float,
    disguise: str,
    topic: int,
    rng: random.Random,
    fresh_index: int,
) -> tuple[str, float]:
    """A new same-topic document of which ``fraction`` of the syllables are a
    contiguous run of whole sentences of ``source_text``."""
    # Body sentences only: copying the form's headings is not copying.
    source_lines = source_text.split("\n")[2:-1]
    source_sentences = [
        s for line in source_lines if line not in FORM_HEADINGS for s in _sentences(line)
    ]
    source_syllables = sum(_count_syllables(s) for s in source_sentences)
    total = rng.randint(300, 1500)
    total = min(total, int(source_syllables * 0.9 / fraction))
    wanted = max(int(fraction * total), 1)
    start = rng.randrange(len(source_sentences))
    copied: list[str] = []
    copied_syllables = 0
    position = start
    while copied_syllables < wanted:
        sentence = source_sentences[position % len(source_sentences)]
        if position >= len(source_sentences) and position % len(source_sentences) == start:
            break
        copied.append(sentence)
        copied_syllables += _count_syllables(sentence)
        position += 1
    passage = disguise_passage(" ".join(copied), disguise, rng, corpus.topic_words[topic]["N"])
    # compose() overshoots its target a little; one proportional correction
    # brings the copied share close to the nominal fraction.
    wanted_filler = max(int(copied_syllables * (1 - fraction) / fraction), 120)
    filler_rng_state = rng.getstate()
    filler = corpus.compose(rng, topic, wanted_filler)
    overshoot = _count_syllables(filler) / wanted_filler
    if overshoot > 1.02:
        rng.setstate(filler_rng_state)
        filler = corpus.compose(rng, topic, max(int(wanted_filler / overshoot), 120))
    lines = filler.split("\n")
    insert_at = rng.randrange(3, len(lines))
    lines.insert(insert_at, passage)
    text = "\n".join(lines)
    return text, copied_syllables / max(_count_syllables(text), 1)


# Systems -------------------------------------------------------------------------


@dataclass
class SystemReport:
    name: str
    n: int
    build_seconds: float = 0.0
    add_ms: list[float] | None = None
    index_bytes: int = 0
    build_peak_rss: int = 0
    check_peak_rss: int = 0
    latencies_ms: list[float] | None = None
    # per query: (fraction, disguise, found_true_source, flagged_total, flagged_true)
    outcomes: list[tuple[float, str, bool, int, int]] | None = None
    note: str = ""


def _peak_rss_bytes() -> int:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * 1024


def _in_child(function: Callable[..., Any], *args: Any) -> Any:
    """Run ``function(*args)`` in a forked process and return its result,
    so that the peak RSS it reports is its own."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def target() -> None:
        try:
            writer.send(("ok", function(*args)))
        except BaseException as error:  # report, then let the parent raise
            import traceback

            writer.send(("error", traceback.format_exc()))
            raise error

    process = context.Process(target=target)
    process.start()
    writer.close()
    status, payload = reader.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(payload)
    return payload


def _progress_logger(total: int, label: str) -> Callable[[int], None]:
    try:
        from tqdm import tqdm

        bar = tqdm(total=total, desc=label, unit="doc", file=sys.stderr, mininterval=5)
        return bar.update
    except ImportError:  # pragma: no cover
        return lambda _: None


def engine_config() -> EngineConfig:
    # As the Django layer does: the form's labels, headings and closing
    # pledge are registered boilerplate. Other stock phrases are left to
    # document-frequency stop-listing.
    labels = ("Tên sáng kiến:", "Lĩnh vực áp dụng:")
    return EngineConfig(boilerplate=(*labels, *FORM_HEADINGS, STOCK_CLOSING))


def run_engine(args: argparse.Namespace, queries: list[Query]) -> SystemReport:
    report = SystemReport("engine (winnowing + TF-IDF alignment)", args.n)
    corpus = _corpus_for(args.seed)

    def build() -> dict[str, Any]:
        store = _make_store(args)
        engine = Engine(store, engine_config())
        started = time.perf_counter()
        if args.generate_in_workers:
            rebuild_generating(
                engine,
                args.n,
                args.seed,
                args.processes,
                _progress_logger(args.n, "engine build"),
            )
        else:
            sources = (archive_source(i, t) for i, t in iter_archive(args.n, args.seed))
            engine.rebuild(
                sources,
                progress=_progress_logger(args.n, "engine build"),
                processes=args.processes,
            )
        build_seconds = time.perf_counter() - started
        add_ms = []
        for i in range(args.adds):
            index = 2 * 10**9 + i
            source = archive_source(index, corpus.document(index))
            started = time.perf_counter()
            engine.add(source)
            add_ms.append((time.perf_counter() - started) * 1000)
        index_bytes = _store_size(store)
        return {
            "build_seconds": build_seconds,
            "add_ms": add_ms,
            "index_bytes": index_bytes,
            "peak": _peak_rss_bytes(),
            "memory_store": store if args.dsn is None else None,
        }

    if args.dsn is None:
        # An in-memory store cannot cross processes: build in this one.
        built = build()
        store = built["memory_store"]
        checked = _check_all(Engine(store, engine_config()), queries)
    else:
        if args.skip_build:
            built = {"build_seconds": float("nan"), "add_ms": [], "index_bytes": 0, "peak": 0}
            report.note = "index reused from an earlier run (--skip-build)"
        else:
            built = _in_child(build)
        checked = _in_child(lambda: _check_all(Engine(_make_store(args), engine_config()), queries))
        if args.skip_build:
            built["index_bytes"] = _store_size(_make_store(args))
    report.build_seconds = built["build_seconds"]
    report.add_ms = built["add_ms"]
    report.index_bytes = built["index_bytes"]
    report.build_peak_rss = built["peak"]
    report.latencies_ms, report.outcomes, report.check_peak_rss = checked
    return report


def _make_store(args: argparse.Namespace) -> Any:
    if args.dsn is None:
        return MemoryStore()
    from dedup.engine.pgstore import PostgresStore

    store = PostgresStore(args.dsn)
    store.create_schema()
    return store


def _store_size(store: Any) -> int:
    if hasattr(store, "index_size_bytes"):
        return sum(store.index_size_bytes().values())
    return 0


def _check_all(
    engine: Engine, queries: list[Query]
) -> tuple[list[float], list[tuple[float, str, bool, int, int]], int]:
    for query in queries[:5]:  # warm caches and imports
        engine.check(query.text, author_keys={"user:query"})
    latencies: list[float] = []
    outcomes = []
    for query in queries:
        started = time.perf_counter()
        result = engine.check(query.text, author_keys={"user:query"})
        latencies.append((time.perf_counter() - started) * 1000)
        flagged = [m for m in result.matches if m.flagged]
        true_id = f"initiative:{query.source_index}"
        flagged_true = sum(1 for m in flagged if m.source_id == true_id)
        outcomes.append(
            (query.fraction, query.disguise, flagged_true > 0, len(flagged), flagged_true)
        )
    return latencies, outcomes, _peak_rss_bytes()


def _syllable_analyzer(text: str) -> list[str]:
    return syllable_spans(text)[0]


def run_tfidf(args: argparse.Namespace, queries: list[Query]) -> SystemReport:
    n = min(args.n, args.baseline_n)
    report = SystemReport("baseline: TfidfVectorizer + cosine", n)

    def work() -> dict[str, Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        started = time.perf_counter()
        vectorizer = TfidfVectorizer(analyzer=_syllable_analyzer)
        matrix = vectorizer.fit_transform(t for _, t in iter_archive(n, args.seed)).tocsr()
        build_seconds = time.perf_counter() - started
        corpus = _corpus_for(args.seed)
        add_ms = []
        import scipy.sparse as sp

        grown = matrix
        for i in range(min(args.adds, 50)):
            text = corpus.document(2 * 10**9 + i)
            started = time.perf_counter()
            # Frozen vocabulary and IDF: a real add would need a refit.
            grown = sp.vstack([grown, vectorizer.transform([text])], format="csr")
            add_ms.append((time.perf_counter() - started) * 1000)
        del grown
        index_bytes = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
        latencies, scored = [], []
        for query in queries:
            started = time.perf_counter()
            vector = vectorizer.transform([query.text])
            similarities = (matrix @ vector.T).toarray().ravel()
            top = np.argpartition(-similarities, 2)[:2]
            top = top[np.argsort(-similarities[top])]
            latencies.append((time.perf_counter() - started) * 1000)
            scored.append([(int(i), float(similarities[i])) for i in top])
        return {
            "build_seconds": build_seconds,
            "add_ms": add_ms,
            "index_bytes": index_bytes,
            "latencies": latencies,
            "scored": scored,
            "peak": _peak_rss_bytes(),
        }

    result = _in_child(work)
    # Threshold calibrated on the unrelated queries: the 99th percentile of
    # their best cosine, i.e. ~1 % of unrelated documents flagged by design.
    unrelated_best = [
        s[0][1] for q, s in zip(queries, result["scored"], strict=True) if q.fraction == 0
    ]
    threshold = float(np.percentile(unrelated_best, 99)) if unrelated_best else 0.5
    outcomes = []
    for query, scored in zip(queries, result["scored"], strict=True):
        flagged = [i for i, similarity in scored if similarity > threshold]
        hit = query.source_index in flagged
        outcomes.append((query.fraction, query.disguise, hit, len(flagged), int(hit)))
    report.build_seconds = result["build_seconds"]
    report.add_ms = result["add_ms"]
    report.index_bytes = result["index_bytes"]
    report.build_peak_rss = report.check_peak_rss = result["peak"]
    report.latencies_ms = result["latencies"]
    report.outcomes = outcomes
    report.note = (
        f"flags the top 2 above cosine {threshold:.3f} (99th pct of unrelated);"
        " add = transform + vstack with frozen IDF"
    )
    return report


def _minhash_values(text: str, k: int) -> np.ndarray:
    return np.unique(kgram_hashes(syllable_spans(text)[0], k))


def run_minhash(args: argparse.Namespace, queries: list[Query]) -> SystemReport:
    n = min(args.n, args.baseline_n)
    report = SystemReport("baseline: datasketch MinHash LSH", n)
    num_perm, threshold = 128, args.lsh_threshold

    def work() -> dict[str, Any]:
        from datasketch import MinHash, MinHashLSH

        def signature(text: str) -> MinHash:
            minhash = MinHash(num_perm=num_perm, seed=1, hashfunc=int)
            minhash.update_batch(_minhash_values(text, 5).tolist())
            return minhash

        started = time.perf_counter()
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        # Signatures kept to verify LSH candidates by estimated Jaccard, as
        # LSH deployments do (banding alone lets many false candidates in).
        signatures: dict[int, Any] = {}
        with lsh.insertion_session() as session:
            for index, text in iter_archive(n, args.seed):
                signatures[index] = signature(text)
                session.insert(index, signatures[index])
        build_seconds = time.perf_counter() - started
        corpus = _corpus_for(args.seed)
        add_ms = []
        for i in range(min(args.adds, 50)):
            text = corpus.document(2 * 10**9 + i)
            started = time.perf_counter()
            lsh.insert(2 * 10**9 + i, signature(text))
            add_ms.append((time.perf_counter() - started) * 1000)
        latencies, found = [], []
        for query in queries:
            started = time.perf_counter()
            query_signature = signature(query.text)
            candidates = [
                int(c)
                for c in lsh.query(query_signature)
                if c in signatures and signatures[c].jaccard(query_signature) >= threshold
            ]
            latencies.append((time.perf_counter() - started) * 1000)
            found.append(candidates)
        return {
            "build_seconds": build_seconds,
            "add_ms": add_ms,
            "latencies": latencies,
            "found": found,
            "peak": _peak_rss_bytes(),
        }

    result = _in_child(work)
    outcomes = []
    for query, candidates in zip(queries, result["found"], strict=True):
        hit = query.source_index in candidates
        outcomes.append((query.fraction, query.disguise, hit, len(candidates), int(hit)))
    report.build_seconds = result["build_seconds"]
    report.add_ms = result["add_ms"]
    report.index_bytes = 0
    report.build_peak_rss = report.check_peak_rss = result["peak"]
    report.latencies_ms = result["latencies"]
    report.outcomes = outcomes
    report.note = (
        f"num_perm={num_perm}, LSH threshold={threshold}, syllable 5-gram shingles;"
        " flags LSH candidates whose estimated Jaccard >= the threshold;"
        " index size = in-process only (see peak RSS)"
    )
    return report


# Report --------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB" if value else "n/a"


def summarize(report: SystemReport) -> dict[str, str]:
    outcomes = report.outcomes or []
    latencies = report.latencies_ms or []
    add_ms = report.add_ms or []
    row = {
        "N indexed": f"{report.n:,}",
        "check median": f"{_percentile(latencies, 50):.1f} ms",
        "check p95": f"{_percentile(latencies, 95):.1f} ms",
        "build": (
            f"{report.build_seconds:,.0f} s ({report.n / report.build_seconds:,.0f} docs/s)"
            if report.build_seconds == report.build_seconds and report.build_seconds > 0
            else "n/a"
        ),
        "add median": f"{_percentile(add_ms, 50):.1f} ms" if add_ms else "n/a",
        "index size": _mib(report.index_bytes),
        "peak RSS build": _mib(report.build_peak_rss),
        "peak RSS check": _mib(report.check_peak_rss),
    }
    unrelated = [o for o in outcomes if o[0] == 0]
    if unrelated:
        flagged = sum(1 for o in unrelated if o[3] > 0)
        row["unrelated flagged"] = f"{flagged}/{len(unrelated)} = {flagged / len(unrelated):.1%}"
    for fraction in FRACTIONS:
        group = [o for o in outcomes if o[0] == fraction]
        if not group:
            continue
        recall = sum(1 for o in group if o[2]) / len(group)
        flagged_total = sum(o[3] for o in group)
        flagged_true = sum(o[4] for o in group)
        precision = flagged_true / flagged_total if flagged_total else float("nan")
        row[f"{fraction:.0%} copies R / P"] = f"{recall:.3f} / {precision:.3f} (n={len(group)})"
    copies_10 = [o for o in outcomes if o[0] >= 0.10]
    if copies_10:
        recall = sum(1 for o in copies_10 if o[2]) / len(copies_10)
        row["recall >= 10%"] = f"{recall:.3f} (n={len(copies_10)})"
    return row


def disguise_table(report: SystemReport) -> dict[str, str]:
    outcomes = report.outcomes or []
    row = {}
    for disguise in DISGUISES:
        group = [o for o in outcomes if o[1] == disguise and o[0] >= 0.10]
        if group:
            row[disguise] = f"{sum(1 for o in group if o[2]) / len(group):.3f}"
    return row


def print_table(rows: dict[str, dict[str, str]], title: str) -> None:
    names = list(rows)
    keys: list[str] = []
    for row in rows.values():
        keys.extend(k for k in row if k not in keys)
    widths = [max(len(k) for k in keys)] + [
        max(len(name), *(len(rows[name].get(k, "")) for k in keys)) for name in names
    ]
    print(f"\n{title}")
    header = ["metric", *names]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for key in keys:
        cells = [key, *(rows[name].get(key, "") for name in names)]
        print(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="archive size")
    parser.add_argument("--copies", type=int, default=700, help="planted copy queries")
    parser.add_argument("--unrelated", type=int, default=300, help="unrelated queries")
    parser.add_argument("--dsn", default=None, help="PostgreSQL store (default: in memory)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2, help="build workers")
    parser.add_argument("--adds", type=int, default=200, help="incremental adds to time")
    parser.add_argument("--baseline-n", type=int, default=100_000, help="cap for baselines")
    parser.add_argument("--lsh-threshold", type=float, default=0.1)
    parser.add_argument(
        "--systems", default="engine,tfidf,minhash", help="comma-separated subset to run"
    )
    parser.add_argument("--skip-build", action="store_true", help="reuse the PostgreSQL index")
    parser.add_argument(
        "--generate-in-workers",
        action="store_true",
        help="engine only: generate uncached archive documents inside the build's workers"
        " instead of caching the whole corpus first",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.generate_in_workers and args.systems != "engine":
        parser.error("--generate-in-workers builds the engine only (--systems engine)")
    # The queries copy from the first baseline_n documents: those are cached.
    cached = min(args.n, args.baseline_n) if args.generate_in_workers else args.n
    ensure_corpus(cached, args.seed, args.processes)
    corpus = _corpus_for(args.seed)
    source_pool = min(args.n, args.baseline_n)
    queries = make_queries(
        corpus=corpus,
        source_pool=source_pool,
        copies=args.copies,
        unrelated=args.unrelated,
        seed=args.seed,
    )
    _log(f"{len(queries)} queries (copies of the first {source_pool:,} documents)")
    runners = {"engine": run_engine, "tfidf": run_tfidf, "minhash": run_minhash}
    reports = []
    for name in args.systems.split(","):
        _log(f"running {name} ...")
        reports.append(runners[name](args, queries))
        _log(f"{name} done")
        # Print and save as each system finishes: a 1M run takes long enough
        # that losing finished systems to a later failure would hurt.
        print_table({reports[-1].name: summarize(reports[-1])}, f"{name} (partial)")
        sys.stdout.flush()
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps([asdict(r) for r in reports]))

    print(
        f"\nSimilarity benchmark: N={args.n:,}, {args.copies} planted copies + {args.unrelated}"
        f" unrelated queries, seed={args.seed}, store={'PostgreSQL' if args.dsn else 'memory'},"
        f" {os.cpu_count()} CPUs"
    )
    print_table({r.name: summarize(r) for r in reports}, "Main figures")
    print_table(
        {r.name: disguise_table(r) for r in reports}, "Recall by disguise (copies of >= 10 %)"
    )
    for report in reports:
        if report.note:
            print(f"- {report.name}: {report.note}")
    for fraction in FRACTIONS[:-1]:
        actual = [q.actual_fraction for q in queries if q.fraction == fraction]
        if actual:
            print(
                f"- nominal {fraction:.0%} copies: share of syllables actually copied"
                f" median {statistics.median(actual):.3f}, min {min(actual):.3f}"
            )
    print(f"- total wall time {time.perf_counter() - started:,.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in reports]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
