"""Demo content for `manage.py seed_demo`: the fields of application and ~40 initiatives.

Everything goes through the services, so the demo has the same events, search
text and states as real data: drafts, initiatives being checked, valid, flagged,
returned with a reason, rejected, approved (public in the library) and
recognised; a few are confidential (technology secrets).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from federation.models import OrgUnit
from initiatives import services
from initiatives.models import Field, Initiative, ParticipantGroup

FIELDS = [
    ("co-khi", "Cơ khí, chế tạo máy"),
    ("dien-nang-luong", "Điện, năng lượng"),
    ("che-bien", "Chế biến thủy sản, thực phẩm"),
    ("y-te", "Y tế, chăm sóc sức khỏe"),
    ("giao-duc", "Giáo dục, đào tạo"),
    ("cntt", "Công nghệ thông tin, chuyển đổi số"),
    ("quan-ly", "Quản lý, tổ chức sản xuất"),
    ("an-toan", "An toàn, vệ sinh lao động"),
    ("moi-truong", "Môi trường, tiết kiệm tài nguyên"),
    ("det-may", "Dệt may, da giày"),
    ("dien-tu", "Điện tử, tự động hoá"),
    ("hanh-chinh", "Hành chính, dịch vụ công"),
]

# (title, field code, participant group, problem, solution, effect, benefit in million VND)
IDEAS = [
    (
        "Lắp biến tần cho máy nén lạnh dây chuyền cấp đông IQF",
        "che-bien",
        "enterprise",
        "Máy nén lạnh chạy liên tục ở công suất tối đa kể cả khi tải thấp, tốn điện.",
        "Lắp biến tần điều khiển tốc độ máy nén theo nhiệt độ buồng cấp đông; cài đặt ngưỡng theo ca.",
        "Giảm 12% điện năng tiêu thụ của dây chuyền cấp đông.",
        420,
    ),
    (
        "Cải tiến bàn sơ chế tôm giảm thao tác thừa",
        "che-bien",
        "enterprise",
        "Công nhân phải cúi và xoay người nhiều lần khi lột tôm, năng suất thấp, đau lưng.",
        "Thiết kế lại bàn nghiêng 15 độ, máng nước chảy liên tục và khay hứng phụ phẩm riêng.",
        "Năng suất lột tôm tăng 18%, giảm mỏi lưng cho công nhân.",
        260,
    ),
    (
        "Thu hồi nước ngưng lò hơi để cấp lại cho lò",
        "dien-nang-luong",
        "enterprise",
        "Nước ngưng từ hệ thống hấp được xả bỏ, tốn nước và nhiên liệu đun nóng nước cấp.",
        "Lắp bồn thu hồi và bơm hồi nước ngưng về bồn cấp lò hơi, bọc cách nhiệt đường ống.",
        "Tiết kiệm 9% trấu đốt lò và 30 m3 nước mỗi ngày.",
        380,
    ),
    (
        "Phần mềm nhắc lịch bảo dưỡng thiết bị qua Zalo",
        "cntt",
        "enterprise",
        "Lịch bảo dưỡng ghi sổ tay, nhiều thiết bị bị quá hạn bảo dưỡng gây hỏng đột xuất.",
        "Viết ứng dụng nhỏ đọc danh mục thiết bị từ Excel và gửi tin nhắn nhắc tổ trưởng trước 3 ngày.",
        "Giảm 40% số lần dừng máy đột xuất trong năm.",
        150,
    ),
    (
        "Gá kẹp nhanh cho máy khoan cần",
        "co-khi",
        "enterprise",
        "Mỗi lần gá phôi trên máy khoan cần mất nhiều thời gian căn chỉnh bằng bu lông.",
        "Chế tạo gá kẹp cam lệch tâm, định vị bằng chốt, thay phôi trong dưới 30 giây.",
        "Thời gian gá phôi giảm từ 4 phút xuống 30 giây.",
        95,
    ),
    (
        "Quy trình tiếp nhận bệnh nhân cấp cứu theo mã màu",
        "y-te",
        "public_service",
        "Bệnh nhân cấp cứu đông vào giờ cao điểm, phân loại chậm, người bệnh nặng phải chờ.",
        "Áp dụng thẻ màu phân loại tại cửa, bảng điện tử hiển thị thứ tự, điều dưỡng phân luồng.",
        "Thời gian chờ trung bình của ca nặng giảm còn dưới 5 phút.",
        0,
    ),
    (
        "Hộp đựng dụng cụ tiêm an toàn tự chế",
        "y-te",
        "public_service",
        "Vật sắc nhọn sau tiêm để chung khay gây nguy cơ phơi nhiễm cho điều dưỡng.",
        "Làm hộp nhựa có nắp một chiều gắn cạnh xe tiêm, thay theo ca.",
        "Không còn ca phơi nhiễm do kim tiêm trong 12 tháng.",
        30,
    ),
    (
        "Ngân hàng câu hỏi trực tuyến cho môn Vật lý 10",
        "giao-duc",
        "public_service",
        "Giáo viên mất nhiều thời gian ra đề kiểm tra, đề giữa các lớp không đồng đều.",
        "Xây dựng ngân hàng 1.200 câu hỏi phân mức độ trên Google Forms, trộn đề tự động.",
        "Giảm 70% thời gian ra đề; kết quả giữa các lớp so sánh được.",
        0,
    ),
    (
        "Số hoá hồ sơ một cửa bằng mã QR",
        "hanh-chinh",
        "officials",
        "Hồ sơ giấy tại bộ phận một cửa hay thất lạc, người dân hỏi tiến độ nhiều lần.",
        "Dán mã QR lên phiếu hẹn, người dân quét để xem tiến độ; cán bộ cập nhật bằng điện thoại.",
        "Giảm 60% cuộc gọi hỏi tiến độ hồ sơ.",
        0,
    ),
    (
        "Tái sử dụng nước rửa nguyên liệu cho khâu vệ sinh sàn",
        "moi-truong",
        "enterprise",
        "Nước rửa nguyên liệu lần cuối còn sạch nhưng bị xả thẳng ra hệ thống xử lý.",
        "Lắp bể lắng và lọc cát, dùng lại nước cho vệ sinh sàn và xe đẩy.",
        "Giảm 20% lượng nước thải phải xử lý.",
        210,
    ),
    (
        "Cải tiến cữ may túi áo sơ mi",
        "det-may",
        "enterprise",
        "May túi áo sơ mi phải kẻ phấn từng chiếc, dễ lệch, tỷ lệ hàng sửa cao.",
        "Làm cữ nhựa định vị túi gắn trên bàn máy, không cần kẻ phấn.",
        "Năng suất công đoạn tăng 25%, hàng sửa giảm một nửa.",
        180,
    ),
    (
        "Bộ đếm sản phẩm bằng cảm biến quang cho băng tải",
        "dien-tu",
        "enterprise",
        "Sản phẩm trên băng tải được đếm tay, sai số và tốn một lao động mỗi ca.",
        "Lắp cảm biến quang và bộ đếm hiển thị, kết nối bảng tổng hợp theo giờ.",
        "Giải phóng 3 lao động mỗi ngày, số liệu sản lượng chính xác.",
        240,
    ),
    (
        "Tổ chức ca kíp linh hoạt cho tổ đóng gói",
        "quan-ly",
        "enterprise",
        "Tổ đóng gói thường thiếu người cuối ca và thừa người đầu ca.",
        "Chia ca lệch giờ 2 tiếng và lập bảng phân công theo sản lượng dự kiến của ngày.",
        "Giảm 15% giờ làm thêm của tổ đóng gói.",
        130,
    ),
    (
        "Che chắn an toàn trục truyền động máy xay",
        "an-toan",
        "enterprise",
        "Trục truyền động máy xay để hở, nguy cơ cuốn tóc và quần áo công nhân.",
        "Làm lồng che bằng lưới thép có cửa thăm, liên động ngắt điện khi mở cửa.",
        "Loại bỏ nguy cơ tai nạn cuốn kẹt tại máy xay.",
        0,
    ),
    (
        "Sấy mẫu bằng nhiệt thải của máy nén khí",
        "dien-nang-luong",
        "projects",
        "Tủ sấy mẫu dùng điện trở, tốn điện trong khi máy nén khí thải nhiệt ra phòng.",
        "Dẫn khí nóng từ máy nén khí qua ống gió vào tủ sấy, điều chỉnh bằng van gió.",
        "Tiết kiệm 6.000 kWh điện mỗi năm.",
        75,
    ),
    (
        "Thiết bị thử tải cầu trục tự chế",
        "co-khi",
        "projects",
        "Thuê đơn vị ngoài thử tải cầu trục hằng năm tốn kém và phải chờ lịch.",
        "Chế tạo bộ quả tải bằng bồn nước có đồng hồ lực, đạt yêu cầu kiểm định.",
        "Tiết kiệm chi phí thuê ngoài và chủ động lịch kiểm định.",
        160,
    ),
    (
        "Bảng theo dõi tiến độ công trình trên Google Sheets",
        "cntt",
        "projects",
        "Báo cáo tiến độ công trình tổng hợp thủ công cuối tuần, chậm và sai lệch.",
        "Mỗi tổ cập nhật khối lượng trên bảng chung, biểu đồ tiến độ tự động cho ban chỉ huy.",
        "Báo cáo tiến độ có hằng ngày thay vì hằng tuần.",
        0,
    ),
    (
        "Sổ tay điện tử hướng dẫn công việc cho công nhân mới",
        "quan-ly",
        "enterprise",
        "Công nhân mới phải kèm cặp lâu, tổ trưởng mất nhiều thời gian hướng dẫn lặp lại.",
        "Quay video ngắn từng thao tác, gắn mã QR tại vị trí làm việc để xem lại.",
        "Thời gian đào tạo công nhân mới giảm từ 3 tuần xuống 10 ngày.",
        90,
    ),
    (
        "Thay đèn cao áp nhà xưởng bằng đèn LED có cảm biến",
        "dien-nang-luong",
        "enterprise",
        "Đèn cao áp nhà kho bật suốt ca dù ít người ra vào.",
        "Thay bằng đèn LED có cảm biến chuyển động theo từng dãy kệ.",
        "Giảm 55% điện chiếu sáng nhà kho.",
        115,
    ),
    (
        "Kiểm tra đường huyết tại giường bằng phiếu mã vạch",
        "y-te",
        "public_service",
        "Ghi kết quả đường huyết bằng tay dễ nhầm bệnh nhân và chậm cập nhật bệnh án.",
        "In mã vạch cho từng giường, máy đo đọc mã và đẩy kết quả vào phần mềm bệnh án.",
        "Không còn nhầm lẫn kết quả giữa các bệnh nhân.",
        0,
    ),
]

UNIT_CODES = [
    "LDLD92-U01-G01",
    "LDLD92-U01-G02",
    "LDLD92-U01-G03",
    "LDLD92-U02-G01",
    "LDLD92-U02-G02",
    "LDLD92-U03-G01",
    "LDLD01-U01-G01",
    "LDLD01-U01-G02",
    "LDLD01-U02-G01",
    "LDLD01-U02-G02",
    "LDLD79-U01-G01",
    "LDLD79-U01-G02",
    "CDTCT-EVN-G01",
    "CDN-GD-G01",
]
# The share of each state in the demo; the rest are approved.
PLAN = (
    ["draft"] * 4
    + ["checking"] * 3
    + ["valid"] * 4
    + ["flagged"] * 4
    + ["returned"] * 3
    + ["rejected"] * 2
    + ["recognised"] * 4
)
RETURN_REASONS = [
    "Đề nghị bổ sung số liệu đo điện năng trước và sau khi áp dụng.",
    "Cần xác nhận của đơn vị áp dụng về giá trị làm lợi.",
    "Mô tả giải pháp còn chung chung, đề nghị bổ sung bản vẽ.",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
GIVEN = ["Văn Minh", "Thị Lan", "Hữu Phước", "Thanh Hà", "Quốc Bảo", "Ngọc Ánh", "Đức Thắng"]


def _author_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def seed_fields() -> dict[str, Field]:
    fields = {}
    for code, name in FIELDS:
        fields[code], _created = Field.objects.get_or_create(code=code, defaults={"name": name})
    return fields


@transaction.atomic
def seed(stdout) -> None:
    fields = seed_fields()
    if Initiative.objects.exists():
        stdout.write("Đã có sáng kiến; không tạo sáng kiến mẫu.")
        return
    rng = random.Random(13)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=UNIT_CODES)}
    worker = User.objects.get(email="congnhan@demo.vn")
    grassroots_officer = User.objects.get(email="cdcs@demo.vn")
    reviewers = {
        "LDLD92": User.objects.get(email="duyet.cantho@demo.vn"),
        "LDLD01": User.objects.get(email="duyet.hanoi@demo.vn"),
    }
    admin = User.objects.get(email="quantri@demo.vn")
    states = PLAN + ["approved"] * (40 - len(PLAN))
    rng.shuffle(states)
    # The demo worker's own initiatives show every state they would meet.
    own_states = ["draft", "checking", "returned", "approved", "recognised"]
    now = timezone.now()
    created = 0
    for index in range(40):
        title, field_code, group, problem, solution, effect, benefit = IDEAS[index % len(IDEAS)]
        if index < len(own_states):
            state, unit_code, owner, entered_by = (
                own_states[index],
                "LDLD92-U01-G01",
                worker,
                worker,
            )
        else:
            state = states[index]
            unit_code = UNIT_CODES[index % len(UNIT_CODES)]
            owner, entered_by = None, admin
            if unit_code == "LDLD92-U01-G01":
                entered_by = grassroots_officer
        unit = units[unit_code]
        if index >= len(IDEAS):
            title = f"{title} (áp dụng tại {unit.display_name})"
        confidential = index % 9 == 4
        first_author = worker.full_name if owner == worker else _author_name(rng)
        authors = [
            services.AuthorData(
                first_author,
                Decimal(70) if index % 3 == 0 else Decimal(100),
                user_id=worker.pk if owner == worker else None,
                date_of_birth=dt.date(1975 + index % 20, 1 + index % 12, 1 + index % 27),
                workplace=unit.display_name,
                job_title=rng.choice(["Công nhân", "Kỹ thuật viên", "Tổ trưởng", "Kỹ sư"]),
                qualification=rng.choice(["Trung cấp", "Cao đẳng", "Đại học", "Bậc thợ 4/7"]),
            )
        ]
        if index % 3 == 0:
            authors.append(services.AuthorData(_author_name(rng), Decimal(30), workplace=unit.name))
        initiative = services.initiative_save_draft(
            entered_by=entered_by,
            data={
                "title": title,
                "summary": effect,
                "field": fields[field_code],
                "participant_group": ParticipantGroup(group),
                "unit": unit,
                "owner": owner,
                "problem": problem,
                "description": solution,
                "prior_solution": "Làm thủ công theo cách cũ, phụ thuộc kinh nghiệm từng người.",
                "improvements": solution.split(",")[0].rstrip(".") + ".",
                "application_scope": "Các đơn vị có dây chuyền, quy trình tương tự.",
                "conditions": "Kinh phí nhỏ, tự làm được với nhân lực hiện có.",
                "confidential_info": "Thông số cài đặt chi tiết." if confidential else "",
                "is_confidential": confidential,
                "first_applied_on": (now - dt.timedelta(days=60 + index * 23)).date(),
                "first_applied_by": f"Phân xưởng {1 + index % 4}, {unit.display_name}",
                "benefit_vnd": Decimal(benefit * 1_000_000),
                "benefit_text": effect,
            },
            authors=authors,
        )
        created += 1
        if state == "draft":
            continue
        submitted_at = now - dt.timedelta(days=index * 19 + rng.randint(0, 10))
        services.initiative_submit(
            initiative=initiative, actor=entered_by, submitted_at=submitted_at
        )
        if state == "checking":
            continue
        services.initiative_record_check(
            initiative=initiative,
            flagged=state in ("flagged", "returned", "rejected"),
            copied_share=round(rng.uniform(0.3, 0.7), 2)
            if state in ("flagged", "returned", "rejected")
            else round(rng.uniform(0, 0.03), 2),
            source_count=1 if state in ("flagged", "returned", "rejected") else 0,
        )
        reviewer = reviewers.get(unit.get_ancestors().filter(level=1).first().code, admin)
        if state == "returned":
            services.initiative_decide(
                initiative=initiative,
                reviewer=reviewer,
                decision="return",
                reason=RETURN_REASONS[index % len(RETURN_REASONS)],
            )
        elif state == "rejected":
            services.initiative_decide(
                initiative=initiative,
                reviewer=reviewer,
                decision="reject",
                reason="Nội dung trùng với sáng kiến đã được công nhận trước đó.",
            )
        elif state in ("approved", "recognised"):
            services.initiative_decide(initiative=initiative, reviewer=reviewer, decision="approve")
            if state == "recognised":
                services.initiative_recognise(
                    initiative=initiative,
                    actor=reviewer,
                    award="Giấy khen của Công đoàn cấp trên" if index % 2 else "",
                )
    stdout.write(f"Đã tạo {len(fields)} lĩnh vực và {created} sáng kiến mẫu.")
