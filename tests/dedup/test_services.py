"""The Django side of the similarity check: verdicts, evidence, own work, confidentiality."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dedup.models import SimilarityMatch
from dedup.services import initiative_check, initiative_check_text, source_text
from initiatives.models import Attachment, Status
from tests.dedup import samples

pytestmark = pytest.mark.django_db

# One paragraph of the freezing-line initiative, copied into a longer text on other subjects.
COPIED = samples.FREEZING_LINE.split(". ")[1] + ". " + samples.FREEZING_LINE.split(". ")[2] + "."
PARTLY_COPIED = " ".join(
    [samples.HOSPITAL_QUEUE, COPIED, samples.SCHOOL_LAB, samples.RUBBER_TAPPING]
)


def test_first_initiative_is_valid_and_joins_the_archive(hand_in, personas):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE, unit=None)
    check = initiative_check(initiative_id=original.pk)
    original.refresh_from_db()
    assert original.status == Status.VALID
    assert check.flagged is False and check.matches.count() == 0
    assert check.checked_text == initiative_check_text(original)


def test_partial_copy_from_another_person_is_flagged_with_passages(hand_in, personas):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE, title="Tự động xả đá dàn lạnh")
    initiative_check(initiative_id=original.pk)
    copy = hand_in(personas.worker_a, PARTLY_COPIED, title="Cải tiến quy trình")

    check = initiative_check(initiative_id=copy.pk)

    copy.refresh_from_db()
    assert copy.status == Status.FLAGGED
    match = check.matches.get()
    assert match.source_initiative == original and match.flagged and not match.same_author
    assert match.source_title == "Tự động xả đá dàn lạnh"
    assert 0.05 < match.coverage < 0.4
    assert copy.copied_share == pytest.approx(match.coverage)
    assert copy.copied_source_count == 1
    # The offsets point at the copied words on both sides.
    original_text = source_text(source_initiative=original)
    passage = match.passages[0]
    copied_here = check.checked_text[passage["start"] : passage["end"]]
    copied_there = original_text[passage["source_start"] : passage["source_end"]]
    assert "cảm biến nhiệt độ" in copied_here and "cảm biến nhiệt độ" in copied_there


def test_own_earlier_work_is_reported_but_not_flagged(hand_in, personas):
    earlier = hand_in(personas.worker_a, samples.FREEZING_LINE)
    initiative_check(initiative_id=earlier.pk)
    again = hand_in(personas.worker_a, PARTLY_COPIED)
    check = initiative_check(initiative_id=again.pk)
    again.refresh_from_db()
    assert again.status == Status.VALID
    match = check.matches.get()
    assert match.same_author and not match.flagged
    assert again.copied_source_count == 0


def test_a_co_author_counts_as_the_same_person(hand_in, personas):
    earlier = hand_in(personas.worker_b, samples.FREEZING_LINE, co_author=personas.worker_a)
    initiative_check(initiative_id=earlier.pk)
    again = hand_in(personas.worker_a, PARTLY_COPIED)
    initiative_check(initiative_id=again.pk)
    again.refresh_from_db()
    assert again.status == Status.VALID
    assert SimilarityMatch.objects.get(initiative=again).same_author


def test_a_typed_name_never_makes_the_same_author_only_a_warning(hand_in, personas):
    # Anyone can type "Lê Thị Hoà": a name without an account or member id is
    # no proof of the same person (issue 15), so the copy flags and the
    # reviewer is warned that the names match.
    earlier = hand_in(
        personas.grassroots_officer_a, samples.FREEZING_LINE, member_name="Lê Thị Hoà"
    )
    initiative_check(initiative_id=earlier.pk)
    again = hand_in(personas.grassroots_officer_a, PARTLY_COPIED, member_name="LÊ THỊ HÒA")
    initiative_check(initiative_id=again.pk)
    match = SimilarityMatch.objects.get(initiative=again)
    assert not match.same_author and match.author_name_warning and match.flagged


def test_a_source_authors_name_typed_as_co_author_is_a_warning(hand_in, personas):
    from decimal import Decimal

    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    initiative_check(initiative_id=original.pk)
    copy = hand_in(personas.worker_a, PARTLY_COPIED)
    copy.authors.all().update(contribution_percent=Decimal(50))
    # The source's author typed in as a co-author, without an account.
    copy.authors.create(
        full_name=personas.worker_b.full_name.upper(), contribution_percent=Decimal(50), position=1
    )
    initiative_check(initiative_id=copy.pk)
    match = SimilarityMatch.objects.get(initiative=copy)
    assert match.source_initiative == original
    assert not match.same_author and match.author_name_warning and match.flagged


def test_a_match_keeps_the_source_text_its_offsets_index(hand_in, personas):
    from dedup.archive import get_engine
    from dedup.services import archive_sources

    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    # Indexed by a rebuild, as seeded and imported initiatives are: no check of
    # the source exists.
    original.status = "valid"
    original.save(update_fields=["status"])
    # Inside the test's transaction (a rebuilding_engine() commits on its own).
    get_engine().rebuild(list(archive_sources()))
    copy = hand_in(personas.worker_a, PARTLY_COPIED)
    check = initiative_check(initiative_id=copy.pk)
    match = check.matches.get()
    assert not original.similarity_checks.exists()
    assert match.source_text
    for passage in match.passages:
        copied = match.source_text[passage["source_start"] : passage["source_end"]]
        assert copied and copied in samples.FREEZING_LINE


def test_a_confidential_source_is_matched_but_only_its_title_is_kept(hand_in, personas):
    secret = hand_in(
        personas.worker_b, samples.FREEZING_LINE, title="Bí quyết xả đá", confidential=True
    )
    initiative_check(initiative_id=secret.pk)
    copy = hand_in(personas.worker_a, PARTLY_COPIED)
    initiative_check(initiative_id=copy.pk)
    match = SimilarityMatch.objects.get(initiative=copy)
    assert match.confidential and match.flagged
    assert match.source_title == "Bí quyết xả đá"


def test_attachment_text_is_checked_with_the_body(hand_in, personas):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    initiative_check(initiative_id=original.pk)
    copy = hand_in(personas.worker_a, samples.HOSPITAL_QUEUE + " " + samples.SCHOOL_LAB)
    Attachment.objects.create(
        initiative=copy,
        file="x.pdf",
        original_name="thuyet-minh.pdf",
        extension="pdf",
        content_type="application/pdf",
        size=1,
        extracted_text=COPIED + " " + samples.RUBBER_TAPPING,
    )
    check = initiative_check(initiative_id=copy.pk)
    assert check.flagged
    passage = check.matches.get().passages[0]
    assert passage["start"] > len(
        samples.HOSPITAL_QUEUE + samples.SCHOOL_LAB
    )  # in the attachment part


def test_checking_twice_changes_nothing(hand_in, personas):
    initiative = hand_in(personas.worker_a, samples.SCHOOL_LAB)
    assert initiative_check(initiative_id=initiative.pk) is not None
    assert initiative_check(initiative_id=initiative.pk) is None
    assert initiative.similarity_checks.count() == 1


def test_similarity_check_command_prints_the_documented_json(hand_in, personas, tmp_path):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    original.external_id = "ARCH-1"
    original.save(update_fields=["external_id"])
    initiative_check(initiative_id=original.pk)
    query = tmp_path / "query.txt"
    query.write_text(PARTLY_COPIED, encoding="utf-8")
    out = StringIO()
    call_command("similarity_check", str(query), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["flagged"] is True and report["file"] == str(query)
    assert report["copied_share"] > 0
    [match] = report["matches"]
    assert match["external_id"] == "ARCH-1" and match["initiative_id"] == original.pk
    assert set(match) == {
        "kind",
        "external_id",
        "initiative_id",
        "flagged",
        "same_author",
        "author_name_warning",
        "quotation",
        "coverage",
        "score",
        "passages",
    }
    assert set(match["passages"][0]) == {"start", "end", "source_start", "source_end"}
    assert PARTLY_COPIED[match["passages"][0]["start"] : match["passages"][0]["end"]].strip()


def test_similarity_check_command_checks_many_files_and_folders_in_one_run(
    hand_in, personas, tmp_path
):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    initiative_check(initiative_id=original.pk)
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(PARTLY_COPIED, encoding="utf-8")
    (folder / "sub" / "b.txt").write_text(samples.SCHOOL_LAB, encoding="utf-8")
    (folder / "image.png").write_bytes(b"not text")
    single = tmp_path / "c.txt"
    single.write_text(samples.FREEZING_LINE, encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\xff\xfe\x00bad")
    out = StringIO()
    call_command("similarity_check", str(folder), str(single), str(broken), "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [Path(r["file"]).name for r in lines] == ["a.txt", "b.txt", "c.txt", "broken.txt"]
    flagged = {Path(r["file"]).name: r.get("flagged") for r in lines}
    assert flagged == {"a.txt": True, "b.txt": False, "c.txt": True, "broken.txt": None}
    assert "error" in lines[-1]


def test_similarity_check_command_refuses_an_empty_folder(tmp_path):
    from django.core.management.base import CommandError

    from dedup.management.commands.similarity_check import NOTHING_TO_CHECK

    with pytest.raises(CommandError, match=NOTHING_TO_CHECK):
        call_command("similarity_check", str(tmp_path), "--json", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_rebuild_command_indexes_every_handed_in_initiative(hand_in, personas):
    # Committed for real here, so the check runs at commit (Celery is eager in tests).
    hand_in(personas.worker_b, samples.FREEZING_LINE)
    out = StringIO()
    call_command("rebuild_similarity_index", "--no-progress", "--processes", "1", stdout=out)
    assert "1 sáng kiến" in out.getvalue()
    copy = hand_in(personas.worker_a, PARTLY_COPIED)
    copy.refresh_from_db()
    assert copy.status == Status.FLAGGED


def test_the_web_sides_constants_mirror_the_engines():
    from dedup import models
    from dedup.engine import model

    assert models.QUOTATION_KINDS == model.QUOTATION_KINDS
    assert models.TYPED_NAME_KEY_PREFIX == model.TYPED_NAME_KEY_PREFIX
    assert set(models.QUOTATION_KINDS) <= set(models.SimilarityMatch.SourceKind.values)


def test_migrate_builds_the_index_of_an_archive_that_has_none(transactional_db, hand_in, personas):
    from django.db import connection

    from dedup.services import archive_index_is_empty
    from tests.conftest import _truncate_archive_index, require_service

    if connection.vendor != "postgresql":
        # The shared index (and what migrate builds) lives in PostgreSQL tables.
        require_service("PostgreSQL", "set DATABASE_URL=postgres://... to run this test")
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)  # checked on commit
    _truncate_archive_index()  # a new deployment, or seeded data: no index
    assert archive_index_is_empty()

    call_command("migrate", verbosity=0)  # its post_migrate hook builds the index

    assert not archive_index_is_empty()
    copy = hand_in(personas.worker_a, PARTLY_COPIED)
    copy.refresh_from_db()
    assert copy.status == Status.FLAGGED
    match = SimilarityMatch.objects.get(initiative=copy)
    assert match.source_initiative_id == original.pk


def test_migrate_leaves_a_filled_index_alone(transactional_db, hand_in, personas):
    from dedup.archive import get_engine
    from dedup.services import source_id_of

    hand_in(personas.worker_b, samples.FREEZING_LINE)
    other = hand_in(personas.worker_a, samples.SCHOOL_LAB)
    get_engine().remove(source_id_of(other.pk))
    call_command("migrate", verbosity=0)
    assert get_engine().store.document_count() == 1


def test_a_registered_law_quoted_by_two_initiatives_is_a_quotation_not_copying(
    hand_in, personas, tmp_path
):
    law_file = tmp_path / "luat.txt"
    law_file.write_text("Luật An toàn, vệ sinh lao động\n" + samples.SCHOOL_LAB, encoding="utf-8")
    out = StringIO()
    call_command("add_reference_sources", str(tmp_path), "--kind", "law", stdout=out)
    assert "law:" in out.getvalue()
    earlier = hand_in(personas.worker_b, samples.HOSPITAL_QUEUE + "\n\n" + samples.SCHOOL_LAB)
    initiative_check(initiative_id=earlier.pk)
    quoting = hand_in(personas.worker_a, samples.RUBBER_TAPPING + "\n\n" + samples.SCHOOL_LAB)
    check = initiative_check(initiative_id=quoting.pk)
    quoting.refresh_from_db()
    assert quoting.status == Status.VALID and check.flagged is False
    (match,) = check.matches.all()
    assert match.source_kind == "law" and match.source_title == "Luật An toàn, vệ sinh lao động"
    assert not match.flagged and match.source_text.endswith(samples.SCHOOL_LAB.strip())
    assert quoting.copied_share == 0


def test_reference_texts_survive_an_index_rebuild(hand_in, personas, tmp_path):
    from dedup.archive import get_engine
    from dedup.services import archive_sources, reference_text_add

    reference = reference_text_add(kind="form", title="Mẫu đơn", text=samples.SCHOOL_LAB)
    get_engine().rebuild(list(archive_sources()))
    result = get_engine().check(samples.RUBBER_TAPPING + "\n\n" + samples.SCHOOL_LAB)
    assert [(m.source_id, m.quotation, m.flagged) for m in result.matches] == [
        (reference.source_id, True, False)
    ]


def test_a_reference_text_of_an_unknown_kind_is_refused():
    from django.core.exceptions import ValidationError

    from dedup.models import ReferenceText
    from dedup.services import reference_text_add

    with pytest.raises(ValidationError):
        reference_text_add(kind="initiative", title="Không phải luật", text="Nội dung.")
    assert not ReferenceText.objects.exists()


def test_re_adding_a_reference_text_by_title_replaces_it(hand_in, personas):
    from dedup.archive import get_engine
    from dedup.services import reference_text_add

    first = reference_text_add(kind="law", title="Luật", text=samples.HOSPITAL_QUEUE)
    again = reference_text_add(kind="form", title="Luật", text=samples.SCHOOL_LAB)
    assert again.pk == first.pk and again.kind == "form"
    result = get_engine().check(samples.RUBBER_TAPPING + "\n\n" + samples.SCHOOL_LAB)
    assert [m.source_id for m in result.matches] == [f"form:{first.pk}"]
    assert get_engine().check(samples.HOSPITAL_QUEUE).matches == ()


@pytest.mark.parametrize(
    ("name", "make_file"),
    [("anh-chup-trang-2.png", "png"), ("ban-quet.pdf", "pdf")],
)
def test_a_copy_in_a_scanned_attachment_is_found_and_shown_as_ocr_text(
    hand_in, personas, settings, tmp_path, name, make_file
):
    from django.core.files.base import ContentFile

    from initiatives import extraction
    from initiatives.tasks import extract_attachment_text
    from review.selectors import case_evidence
    from tests.conftest import require_service
    from tests.initiatives.submission_helpers import scanned_pdf, scanned_png

    if not extraction.ocr_available("vie"):
        require_service("tesseract (tesseract-ocr, tesseract-ocr-vie)", "not installed")
    settings.MEDIA_ROOT = tmp_path
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    initiative_check(initiative_id=original.pk)
    copy = hand_in(personas.worker_a, samples.HOSPITAL_QUEUE + " " + samples.SCHOOL_LAB)
    printed = COPIED + " " + samples.RUBBER_TAPPING
    content = scanned_png(printed) if make_file == "png" else scanned_pdf(printed)
    attachment = Attachment(
        initiative=copy,
        original_name=name,
        extension=make_file,
        content_type="image/png" if make_file == "png" else "application/pdf",
        size=len(content),
        text_status=Attachment.TextStatus.PENDING,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()

    # The Celery task, run here: a child process, tesseract inside it.
    assert extract_attachment_text(attachment.pk) == "done"
    attachment.refresh_from_db()
    assert "cảm biến nhiệt độ" in attachment.extracted_text
    assert attachment.ocr_spans == [[0, len(attachment.extracted_text)]]

    check = initiative_check(initiative_id=copy.pk)
    assert check.flagged
    match = check.matches.get()
    assert match.source_initiative == original and match.flagged
    passage = match.passages[0]
    assert passage["ocr"] == [name]
    assert "cảm biến nhiệt độ" in check.checked_text[passage["start"] : passage["end"]]
    # The reviewer is told the evidence rests on recognised text.
    (evidence,) = case_evidence(viewer=personas.reviewer_a, initiative=copy).sources
    assert evidence.ocr_files == [name]


def test_passages_from_typed_text_are_not_marked_as_ocr(hand_in, personas):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    initiative_check(initiative_id=original.pk)
    copy = hand_in(personas.worker_a, PARTLY_COPIED)
    check = initiative_check(initiative_id=copy.pk)
    assert all("ocr" not in p for p in check.matches.get().passages)
