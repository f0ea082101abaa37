"""Vietnamese normalisation: one spelling per word, offsets into the original."""

from __future__ import annotations

import unicodedata

import pytest

from core.text import (
    fold_accents,
    normalize_vietnamese,
    normalize_with_offsets,
    sentences,
    syllables,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("hòa", "hoà"),
        ("thúy", "thuý"),
        ("khỏe", "khoẻ"),
        ("Thủy lợi", "thuỷ lợi"),
        ("Cộng hòa", "cộng hoà"),
        ("ủy ban", "uỷ ban"),
        ("tòan", "toàn"),  # first-vowel mark in a closed syllable: a misspelling
    ],
)
def test_both_tone_mark_styles_normalise_to_one(old_style: str, new_style: str) -> None:
    assert normalize_vietnamese(old_style) == normalize_vietnamese(new_style)
    assert normalize_vietnamese(old_style) == new_style.lower()


@pytest.mark.parametrize("word", ["quý", "hoàng", "ngoài", "khuya", "huỳnh", "tuyến"])
def test_syllables_with_a_single_correct_spelling_are_left_alone(word: str) -> None:
    assert normalize_vietnamese(word) == word


def test_nfd_and_nfc_normalise_to_the_same_text() -> None:
    text = "Sáng kiến cải tiến quy trình hòa trộn nguyên liệu, khỏe hơn."
    assert unicodedata.is_normalized("NFD", nfd(text))
    assert nfd(text) != text
    assert normalize_vietnamese(nfd(text)) == normalize_vietnamese(text)


def test_normalisation_lowercases_and_keeps_punctuation() -> None:
    assert normalize_vietnamese("ĐỔI MỚI, Sáng Tạo!") == "đổi mới, sáng tạo!"


def test_normalisation_of_nfc_text_preserves_length() -> None:
    text = "Giải pháp hòa mạng THÚY KHỎE"
    assert len(normalize_vietnamese(text)) == len(text)
    _, starts, ends = normalize_with_offsets(text)
    assert starts is None and ends is None


def test_fold_accents_matches_unaccented_search() -> None:
    assert fold_accents("Sáng kiến cải tiến") == "sang kien cai tien"
    assert fold_accents("ĐOÀN VIÊN Công đoàn") == "doan vien cong doan"
    assert fold_accents(nfd("Thủy lợi hòa bình")) == "thuy loi hoa binh"
    assert "sang kien cai tien" in fold_accents("Hồ sơ Sáng kiến cải tiến kỹ thuật")


def test_fold_accents_leaves_other_characters() -> None:
    assert (
        fold_accents("Giá trị làm lợi: 1.500.000 ₫ (50%)") == "gia tri lam loi: 1.500.000 ₫ (50%)"
    )


def test_syllables_carry_offsets_into_the_original_text() -> None:
    text = "Sáng kiến: hòa  Bình, KHỎE."
    found = syllables(text)
    assert [s.text for s in found] == ["sáng", "kiến", "hoà", "bình", "khoẻ"]
    assert [text[s.start : s.end] for s in found] == ["Sáng", "kiến", "hòa", "Bình", "KHỎE"]


def test_syllable_offsets_survive_nfd_input() -> None:
    original = nfd("Tên sáng kiến: Cải tiến máy hòa trộn.")
    found = syllables(original)
    assert [s.text for s in found] == [
        "tên",
        "sáng",
        "kiến",
        "cải",
        "tiến",
        "máy",
        "hoà",
        "trộn",
    ]
    for syllable in found:
        piece = original[syllable.start : syllable.end]
        assert unicodedata.is_normalized("NFD", piece)
        assert normalize_vietnamese(piece) == syllable.text


def test_sentences_split_on_end_punctuation_and_line_breaks() -> None:
    text = "Câu thứ nhất. Câu thứ hai!\nMục ba; mục bốn\n\n  Cuối "
    assert sentences(text) == ["Câu thứ nhất.", "Câu thứ hai!", "Mục ba;", "mục bốn", "Cuối"]


def test_decimal_points_do_not_end_sentences() -> None:
    assert sentences("Tiết kiệm 1.500.000 đồng mỗi năm. Hết.") == [
        "Tiết kiệm 1.500.000 đồng mỗi năm.",
        "Hết.",
    ]


def test_match_tokens_undo_invisible_and_look_alike_characters() -> None:
    from core.text import match_tokens

    plain = "công nhân tiết kiệm"
    # Zero-width space and joiner, soft hyphen, word joiner, BOM inside words;
    # Cyrillic о and с, Greek ο in place of Latin letters.
    disguised = "cô\u200bng nh\u00adân t\u2060iết ki\ufeffệm"
    lookalike = "cоng nhân tiết kiệm".replace("cоng", "\u0441\u043eng").replace("nhân", "nh\u00e2n")
    exact, folded, starts, ends = match_tokens(disguised)
    assert exact == ["công", "nhân", "tiết", "kiệm"]
    assert [disguised[s:e] for s, e in zip(starts, ends, strict=True)] == disguised.split()
    assert match_tokens(lookalike)[1] == ["cong", "nhan", "tiet", "kiem"]
    assert match_tokens(plain)[1] == ["cong", "nhan", "tiet", "kiem"]
    greek = "c\u03bfng nh\u03b1n"
    assert match_tokens(greek)[1] == ["cong", "nhan"]


def test_match_tokens_fold_accents_beside_the_exact_form() -> None:
    from core.text import match_tokens

    exact, folded, _, _ = match_tokens("Đoàn viên CÔNG ĐOÀN cong doan")
    assert exact == ["đoàn", "viên", "công", "đoàn", "cong", "doan"]
    assert folded == ["doan", "vien", "cong", "doan", "cong", "doan"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("nguwowif", "người"),  # Telex
        ("tieengs", "tiếng"),
        ("Vieejt", "việt"),
        ("ddaays", "đấy"),
        ("ngu7o72i", "người"),  # VNI
        ("to6i", "tôi"),
        ("d9a61y", "đấy"),
    ],
)
def test_input_method_leftovers_are_decoded(typed: str, meant: str) -> None:
    from core.text import token_forms

    assert token_forms(typed.lower())[0] == meant


@pytest.mark.parametrize("word", ["nguoi", "cong", "xoa", "truong", "iso", "email", "the"])
def test_real_words_are_not_taken_for_input_method_leftovers(word: str) -> None:
    from core.text import token_forms

    assert token_forms(word) == (word, word)


def test_numbers_are_one_token_class() -> None:
    from core.text import NUMBER_TOKEN, match_tokens

    text = "Làm lợi 1.500.000 đồng trong 12 tháng, tăng 15,5%"
    exact, folded, starts, ends = match_tokens(text)
    assert exact == ["làm", "lợi", NUMBER_TOKEN, "đồng", "trong", NUMBER_TOKEN, "tháng"] + [
        "tăng",
        NUMBER_TOKEN,
    ]
    assert text[starts[2] : ends[2]] == "1.500.000"
    assert text[starts[8] : ends[8]] == "15,5"
    assert match_tokens("Làm lợi 2.000.000 đồng trong 9 tháng, tăng 3%")[1] == folded


def test_nfd_with_invisible_characters_keeps_original_offsets() -> None:
    from core.text import match_tokens

    text = nfd("Sáng\u200b kiến hòa bình")
    exact, _folded, starts, ends = match_tokens(text)
    assert exact == ["sáng", "kiến", "hoà", "bình"]
    assert [text[s:e] for s, e in zip(starts, ends, strict=True)] == [
        nfd("Sáng"),
        nfd("kiến"),
        nfd("hòa"),
        nfd("bình"),
    ]
