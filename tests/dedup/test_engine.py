"""The similarity engine on an in-memory index (no database).

The archive is built from real Vietnamese sentences (the VLSP 2013 sample
shipped inside underthesea), each document from its own sentences, laid out
as an initiative form so that every document shares the form's headings.
"""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from core.text import normalize_vietnamese, sentences, syllables
from dedup.engine import (
    CheckResult,
    Engine,
    EngineConfig,
    FlagRule,
    Match,
    MemoryStore,
    Source,
    join_parts,
)

FORM_HEADINGS = (
    "Mô tả bản chất của sáng kiến.",
    "Tình trạng giải pháp đã biết và những nhược điểm cần khắc phục.",
    "Nội dung giải pháp đề nghị công nhận là sáng kiến.",
    "Khả năng áp dụng của sáng kiến và những điều kiện cần thiết để áp dụng.",
    "Tôi xin cam đoan mọi thông tin nêu trong đơn là trung thực, đúng sự thật và hoàn toàn"
    " chịu trách nhiệm trước pháp luật.",
)
# The Django layer registers the form's stock text; so do these tests.
CONFIG = EngineConfig(boilerplate=FORM_HEADINGS)
ARCHIVE_SIZE = 20
SENTENCES_PER_DOCUMENT = 36


def _vlsp_sentences() -> list[str]:
    import underthesea

    path = (
        Path(underthesea.__file__).parent
        / "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
    )
    found, words = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            words.append(line.split("\t")[0])
            continue
        text = re.sub(r" ([,.;:!?)])", r"\1", " ".join(words))
        words = []
        # Whole sentences of a reasonable size, each used once.
        if 12 <= len(text.split()) <= 45 and text.endswith(".") and text not in found:
            found.append(text)
    return found


SENTENCES = _vlsp_sentences()


def form(body_sentences: list[str], title: str) -> str:
    """An initiative form: headings shared by every document, own body."""
    parts = [f"Tên sáng kiến: {title}."]
    cuts = [len(body_sentences) * i // 4 for i in range(5)]
    for i, heading in enumerate(FORM_HEADINGS[:4]):
        parts.append(heading)
        parts.append(" ".join(body_sentences[cuts[i] : cuts[i + 1]]))
    parts.append(FORM_HEADINGS[4])
    return "\n".join(parts)


def with_copied_paragraph(paragraph: str, *, offset: int, share: float = 0.10) -> str:
    """A new form whose own sentences are added until ``paragraph`` makes up
    about ``share`` of it; the paragraph sits in the second section."""
    own: list[str] = []
    while True:
        own.extend(fresh_sentences(4, offset=offset + len(own)))
        body = own[:1] + [paragraph] + own[1:]  # in the first section, not first
        text = form(body, "Một sáng kiến mới")
        if len(paragraph) / len(text) <= share:
            return text


def archive_document(index: int) -> str:
    start = index * SENTENCES_PER_DOCUMENT
    return form(SENTENCES[start : start + SENTENCES_PER_DOCUMENT], f"Sáng kiến số {index}")


def fresh_sentences(count: int, offset: int = 0) -> list[str]:
    """Sentences used by no archive document."""
    start = ARCHIVE_SIZE * SENTENCES_PER_DOCUMENT + offset
    assert start + count <= len(SENTENCES), "not enough VLSP sentences for this test"
    return SENTENCES[start : start + count]


def source(index: int, *, authors: set[str] | None = None, confidential: bool = False) -> Source:
    return Source(
        id=f"initiative:{index}",
        kind="initiative",
        ref=str(index),
        text=archive_document(index),
        author_keys=frozenset(authors or {f"user:{index}"}),
        confidential=confidential,
    )


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild(source(i) for i in range(ARCHIVE_SIZE))
    return engine


def copied_paragraph(index: int, start: int, count: int) -> str:
    first = index * SENTENCES_PER_DOCUMENT + start
    return " ".join(SENTENCES[first : first + count])


# Disguises a copier might use (issue 4).
def to_nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def other_tone_style(text: str) -> str:
    swaps = {"oà": "òa", "òa": "oà", "oá": "óa", "óa": "oá", "oả": "ỏa", "ỏa": "oả"}
    swaps |= {"uý": "úy", "úy": "uý", "uỷ": "ủy", "ủy": "uỷ", "oẻ": "ỏe", "ỏe": "oẻ"}
    return re.sub("|".join(swaps) + r"(?!\w)", lambda m: swaps[m.group()], text)


def case_and_punctuation(text: str) -> str:
    shouted = [s.upper().replace(",", "").rstrip(".") + " !" for s in sentences(text)]
    return " ".join(shouted)


def reordered(text: str) -> str:
    parts = sentences(text)
    return " ".join(parts[1::2] + parts[::2])


def words_dropped_and_changed(text: str) -> str:
    rng = random.Random(4)
    out = []
    for word in text.split(" "):
        roll = rng.random()
        if roll < 0.05:
            continue
        out.append("thay" if roll < 0.10 else word)
    return " ".join(out)


DISGUISES = {
    "exact": lambda text: text,
    "nfd": to_nfd,
    "tone": other_tone_style,
    "case_punctuation": case_and_punctuation,
    "reordered": reordered,
    "words": words_dropped_and_changed,
}


def match_with(result: CheckResult, source_id: str) -> Match:
    (match,) = [m for m in result.matches if m.source_id == source_id]
    return match


def flagged_ids(result: CheckResult) -> set[str]:
    return {m.source_id for m in result.matches if m.flagged}


def test_the_archive_fixture_has_disguisable_text() -> None:
    # Guards the disguise tests: they must actually change the text.
    paragraph = copied_paragraph(3, 10, 4)
    for name, disguise in DISGUISES.items():
        if name != "exact":
            assert disguise(paragraph) != paragraph, name
    assert other_tone_style("hoà bình, thuý, khoẻ") == "hòa bình, thúy, khỏe"


@pytest.mark.parametrize("disguise", DISGUISES)
def test_whole_copy_is_flagged(engine: Engine, disguise: str) -> None:
    text = DISGUISES[disguise](archive_document(5))
    result = engine.check(text, author_keys={"user:someone-else"})
    assert result.flagged
    best = result.matches[0]
    assert best.source_id == "initiative:5"
    assert best.coverage > 0.8
    assert best.score > 0.5
    assert not best.same_author


@pytest.mark.parametrize("disguise", DISGUISES)
def test_ten_percent_copy_is_flagged(engine: Engine, disguise: str) -> None:
    paragraph = DISGUISES[disguise](copied_paragraph(7, 12, 4))
    text = with_copied_paragraph(paragraph, offset=0)
    share = len(paragraph) / len(text)
    assert 0.08 < share <= 0.10
    result = engine.check(text, author_keys={"user:new"})
    assert flagged_ids(result) == {"initiative:7"}
    match = result.matches[0]
    assert match.coverage == pytest.approx(share, abs=0.03)


def test_unrelated_document_with_the_same_form_is_not_flagged(engine: Engine) -> None:
    text = form(fresh_sentences(40, offset=40), "Sáng kiến khác")
    result = engine.check(text, author_keys={"user:new"})
    assert not result.flagged
    # Real text shares the odd stock phrase ("của nhân dân, do nhân dân, vì
    # nhân dân"): reported at most as a small, unflagged overlap.
    assert all(m.coverage < 0.04 for m in result.matches)


def test_boilerplate_alone_never_matches_even_when_long() -> None:
    # A document of nothing but the form's stock text, against an archive
    # where that text is in every document.
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild(source(i) for i in range(ARCHIVE_SIZE))
    only_form = form(fresh_sentences(2, offset=80), "Sáng kiến số 3")
    result = engine.check(only_form * 3)
    assert result.matches == ()


def test_fingerprints_common_to_many_documents_are_stop_listed() -> None:
    # No registered boilerplate: document frequency alone must see that a
    # paragraph present in every archive document is a stock phrase.
    stock = copied_paragraph(ARCHIVE_SIZE - 1, 0, 3)
    config = EngineConfig(common_min_df=5)
    engine = Engine(MemoryStore(), config)
    engine.rebuild(
        Source(f"initiative:{i}", "initiative", str(i), archive_document(i) + "\n" + stock)
        for i in range(ARCHIVE_SIZE - 1)
    )
    text = form(fresh_sentences(30, offset=100) + [stock], "Sáng kiến dùng câu chung")
    assert engine.check(text).matches == ()


def test_own_earlier_work_is_reported_but_not_flagged() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild([source(i) for i in range(6)])
    result = engine.check(archive_document(2), author_keys={"user:2"})
    assert not result.flagged
    (match,) = result.matches
    assert match.source_id == "initiative:2"
    assert match.same_author and not match.flagged
    assert match.coverage > 0.8


def test_a_co_author_counts_as_the_same_person() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild([source(1, authors={"user:11", "member:co-author"}), source(2)])
    result = engine.check(archive_document(1), author_keys={"member:co-author", "user:99"})
    (match,) = result.matches
    assert match.same_author and not result.flagged


def test_a_stranger_copying_an_initiative_with_co_authors_is_flagged() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild([source(1, authors={"user:11", "member:co-author"})])
    assert engine.check(archive_document(1), author_keys={"user:99"}).flagged


def test_confidential_flag_is_carried_to_the_match() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild([source(1, confidential=True), source(2)])
    result = engine.check(archive_document(1) + archive_document(2))
    confidential = {m.source_id: m.confidential for m in result.matches}
    assert confidential == {"initiative:1": True, "initiative:2": False}


def test_passage_offsets_point_at_the_copied_text_in_both_documents(engine: Engine) -> None:
    paragraph = copied_paragraph(9, 20, 4)
    text = with_copied_paragraph(paragraph, offset=140)
    match = match_with(engine.check(text), "initiative:9")
    (passage,) = match.passages
    source_text = archive_document(9)
    assert text[passage.start : passage.end] == paragraph
    assert source_text[passage.source_start : passage.source_end] == paragraph


def test_passage_offsets_index_the_original_nfd_text(engine: Engine) -> None:
    paragraph = copied_paragraph(9, 20, 4)
    text = to_nfd(with_copied_paragraph(paragraph, offset=140))
    match = match_with(engine.check(text), "initiative:9")
    (passage,) = match.passages
    assert text[passage.start : passage.end] == to_nfd(paragraph)


def test_reordered_copy_maps_to_the_source_paragraph(engine: Engine) -> None:
    paragraph = copied_paragraph(11, 4, 5)
    text = with_copied_paragraph(reordered(paragraph), offset=180)
    match = match_with(engine.check(text), "initiative:11")
    source_text = archive_document(11)
    copied_in_source = [source_text[p.source_start : p.source_end] for p in match.passages]
    assert any(paragraph in piece or piece in paragraph for piece in copied_in_source)
    assert all(normalize_vietnamese(text[p.start : p.end]).strip() for p in match.passages)


def test_flag_rule_thresholds_decide_flagging(engine: Engine) -> None:
    paragraph = copied_paragraph(13, 0, 4)
    text = with_copied_paragraph(paragraph, offset=220)
    assert engine.check(text).flagged

    strict_coverage = Engine(
        engine.store, EngineConfig(boilerplate=FORM_HEADINGS, flag_rule=FlagRule(min_coverage=0.5))
    )
    result = strict_coverage.check(text)
    assert not result.flagged
    assert "initiative:13" in {m.source_id for m in result.matches}  # still reported

    long_passages_only = Engine(
        engine.store,
        EngineConfig(
            boilerplate=FORM_HEADINGS, flag_rule=FlagRule(min_passage_chars=len(paragraph) + 50)
        ),
    )
    assert not long_passages_only.check(text).flagged

    high_score = Engine(
        engine.store, EngineConfig(boilerplate=FORM_HEADINGS, flag_rule=FlagRule(min_score=0.99))
    )
    assert not high_score.check(text).flagged


def test_flag_rule_never_flags_own_work() -> None:
    rule = FlagRule(min_coverage=0.0, min_passage_chars=0)
    assert not rule.flags(same_author=True, coverage=1.0, longest_passage=10_000, score=1.0)
    assert rule.flags(same_author=False, coverage=1.0, longest_passage=10_000, score=1.0)


def test_exclude_ids_skips_the_checked_initiative_itself(engine: Engine) -> None:
    result = engine.check(archive_document(4), exclude_ids={"initiative:4"})
    assert "initiative:4" not in {m.source_id for m in result.matches}


def test_re_adding_a_source_replaces_it_and_remove_forgets_it() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.add(source(1))
    engine.add(source(1))  # idempotent
    assert engine.store.document_count() == 1
    engine.add(Source("initiative:1", "initiative", "1", archive_document(2)))
    assert flagged_ids(engine.check(archive_document(2))) == {"initiative:1"}
    assert engine.check(archive_document(1)).matches == ()
    assert engine.remove("initiative:1")
    assert not engine.remove("initiative:1")
    assert engine.check(archive_document(2)).matches == ()


def test_web_and_reference_sources_share_the_index() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.add(Source("web:abc", "web", "https://example.vn/bai-viet", archive_document(3)))
    engine.add(Source("reference:tcvn", "reference", "TCVN 1234", archive_document(4)))
    result = engine.check(archive_document(3) + "\n" + archive_document(4))
    assert {(m.kind, m.ref) for m in result.matches} == {
        ("web", "https://example.vn/bai-viet"),
        ("reference", "TCVN 1234"),
    }
    initiatives_only = engine.check(archive_document(3), kinds={"initiative"})
    assert initiatives_only.matches == ()
    web_only = engine.check(archive_document(3) + "\n" + archive_document(4), kinds={"web"})
    assert [m.source_id for m in web_only.matches] == ["web:abc"]
    with pytest.raises(ValueError):
        Source("x:1", "blog", "", "")


def test_attachment_text_is_checked_with_the_body(engine: Engine) -> None:
    body = form(fresh_sentences(30, offset=260), "Sáng kiến có tệp đính kèm")
    attachment = copied_paragraph(15, 8, 8)
    text, spans = join_parts([body, attachment])
    result = engine.check(text)
    assert flagged_ids(result) == {"initiative:15"}
    (passage,) = result.matches[0].passages
    attachment_start, attachment_end = spans[1]
    assert attachment_start <= passage.start < passage.end <= attachment_end
    assert text[attachment_start:attachment_end] == attachment


def test_check_of_empty_or_tiny_text_finds_nothing(engine: Engine) -> None:
    assert engine.check("").matches == ()
    assert engine.check("Sáng kiến.").matches == ()


def test_syllable_offsets_used_by_passages_are_original_offsets() -> None:
    text = to_nfd("Hòa")
    (only,) = syllables(text)
    assert (only.start, only.end) == (0, len(text))


# Disguises of issue 15: what real copiers do that the issue-4 set did not.
_LOOKALIKES = str.maketrans({"a": "а", "o": "о", "e": "е", "p": "р", "c": "с"})


def accent_free(text: str) -> str:
    from core.text import fold_accents

    return fold_accents(text)


def zero_width(text: str) -> str:
    # A zero-width space in the middle of every word of three letters or more.
    return " ".join(w[:2] + "\u200b" + w[2:] if len(w) > 2 else w for w in text.split(" "))


def look_alikes(text: str) -> str:
    return text.translate(_LOOKALIKES)


def telex_leftovers(text: str) -> str:
    # The Vietnamese typed with the input method switched off: "người" -> "nguwowif".
    tone_keys = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
    words = []
    for word in text.split(" "):
        decomposed = unicodedata.normalize("NFD", word)
        tone = ""
        out = ""
        for char in decomposed:
            if char in tone_keys:
                tone = tone_keys[char]
            elif char == "\u0302":  # circumflex: double the vowel
                out += out[-1]
            elif char in "\u031b\u0306":  # horn, breve
                out += "w"
            else:
                out += char
        out = out.replace("đ", "dd").replace("Đ", "DD")
        words.append(out + tone)
    return " ".join(words)


def numbers_changed(text: str) -> str:
    rng = random.Random(7)
    words = text.split(" ")
    for i in range(3, len(words), 6):  # a number every six words
        words.insert(i, str(rng.randint(2, 9_999_999)))
    return " ".join(words)


HARD_DISGUISES = {
    "accent_free": accent_free,
    "zero_width": zero_width,
    "look_alikes": look_alikes,
    "telex": telex_leftovers,
    "numbers": numbers_changed,
}


def test_hard_disguises_change_the_text() -> None:
    paragraph = copied_paragraph(3, 10, 4)
    for name, disguise in HARD_DISGUISES.items():
        assert disguise(paragraph) != paragraph, name
    assert telex_leftovers("người Việt") == "nguwowif Vieetj"


@pytest.mark.parametrize("disguise", HARD_DISGUISES)
def test_ten_percent_copy_in_a_hard_disguise_is_flagged(engine: Engine, disguise: str) -> None:
    paragraph = HARD_DISGUISES[disguise](copied_paragraph(7, 12, 4))
    text = with_copied_paragraph(paragraph, offset=0)
    result = engine.check(text, author_keys={"user:new"})
    assert "initiative:7" in flagged_ids(result)
    (passage,) = match_with(result, "initiative:7").passages[:1]
    # The offsets index the disguised text as the copier typed it.
    assert (
        text[passage.start : passage.end] in paragraph
        or paragraph in (text[passage.start : passage.end])
    )


def test_accent_free_whole_copy_is_flagged(engine: Engine) -> None:
    result = engine.check(accent_free(archive_document(5)), author_keys={"user:new"})
    assert result.matches[0].source_id == "initiative:5"
    assert result.flagged and result.matches[0].coverage > 0.8


def test_text_held_by_exactly_the_cut_off_number_of_documents_is_common() -> None:
    # A law quoted by as many archive documents as the cut-off (5 here) never
    # counts; quoted by one document fewer, it does.
    law = copied_paragraph(ARCHIVE_SIZE - 1, 0, 4)
    config = EngineConfig(boilerplate=FORM_HEADINGS, common_min_df=5)
    assert config.is_common(5, 10) and not config.is_common(4, 10)
    for quoting in (5, 4):
        engine = Engine(MemoryStore(), config)
        engine.rebuild(
            Source(
                f"initiative:{i}",
                "initiative",
                str(i),
                archive_document(i) + ("\n" + law if i < quoting else ""),
            )
            for i in range(10)
        )
        text = form(fresh_sentences(20, offset=120) + [law], "Sáng kiến trích luật")
        result = engine.check(text, author_keys={"user:new"})
        assert bool(result.matches) is (quoting == 4), quoting


def test_a_registered_law_is_shown_as_a_quotation_never_as_copying() -> None:
    law = copied_paragraph(ARCHIVE_SIZE - 1, 0, 6)
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild(
        [
            Source(f"initiative:{i}", "initiative", str(i), archive_document(i) + "\n" + law)
            for i in range(3)
        ]
        + [Source("law:1", "law", "Bộ luật Lao động", law)]
    )
    text = form(fresh_sentences(20, offset=140) + [law], "Sáng kiến trích luật")
    result = engine.check(text, author_keys={"user:new"})
    assert not result.flagged
    (quotation,) = [m for m in result.matches if m.quotation]
    assert quotation.source_id == "law:1" and not quotation.flagged
    assert all(m.quotation for m in result.matches)
    assert result.copied_share == 0.0


def test_several_small_sources_flag_together() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild(source(i) for i in range(ARCHIVE_SIZE))
    pieces = [copied_paragraph(i, 5, 2) for i in (2, 4, 6, 8, 10)]
    own = fresh_sentences(75, offset=180)
    body = []
    for i, piece in enumerate(pieces):
        body.extend(own[i * 15 : (i + 1) * 15])
        body.append(piece)
    text = form(body, "Sáng kiến ghép nhiều nguồn")
    alone = Engine(
        engine.store,
        EngineConfig(boilerplate=FORM_HEADINGS, flag_rule=FlagRule(min_total_coverage=1.0)),
    )
    single = alone.check(text, author_keys={"user:new"})
    assert not single.flagged  # each source under 4 % on its own
    result = engine.check(text, author_keys={"user:new"})
    assert result.flagged
    assert flagged_ids(result) == {f"initiative:{i}" for i in (2, 4, 6, 8, 10)}
    assert result.copied_share >= 0.04
    assert all(m.coverage < 0.04 for m in result.matches)


def test_the_candidate_set_grows_past_eight_while_evidence_comes() -> None:
    # Twelve documents share a quotation; the true source of a second
    # paragraph sits behind them in the shared-fingerprint ranking.
    quote = copied_paragraph(ARCHIVE_SIZE - 1, 0, 6)
    sources = [
        Source(f"initiative:{i}", "initiative", str(i), archive_document(i) + "\n" + quote)
        for i in range(12)
    ]
    sources.append(source(15))
    engine = Engine(MemoryStore(), EngineConfig(boilerplate=FORM_HEADINGS, common_min_df=50))
    engine.rebuild(sources)
    copied = copied_paragraph(15, 3, 2)
    text = form(fresh_sentences(30, offset=200) + [quote, copied], "Sáng kiến")
    result = engine.check(text, author_keys={"user:new"})
    assert "initiative:15" in {m.source_id for m in result.matches}
    assert result.candidates_considered > 8


def test_a_typed_co_author_name_is_a_warning_not_own_work() -> None:
    engine = Engine(MemoryStore(), CONFIG)
    engine.rebuild([source(1, authors={"user:11", "name:nguyen van an"}), source(2)])
    result = engine.check(archive_document(1), author_keys={"user:99", "name:nguyen van an"})
    match = match_with(result, "initiative:1")
    assert not match.same_author and match.author_name_warning
    assert result.flagged


def test_coverage_is_counted_in_syllables_whatever_the_unicode_form(engine: Engine) -> None:
    paragraph = copied_paragraph(7, 12, 4)
    text = with_copied_paragraph(paragraph, offset=0)
    nfc = match_with(engine.check(text), "initiative:7").coverage
    decomposed = match_with(engine.check(to_nfd(text)), "initiative:7").coverage
    assert nfc == pytest.approx(decomposed)
    expected = len(syllables(paragraph)) / len(syllables(text))
    assert nfc == pytest.approx(expected, abs=0.01)
