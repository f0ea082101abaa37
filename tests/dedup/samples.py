"""Vietnamese initiative texts for the similarity tests, each on its own subject."""

FREEZING_LINE = (
    "Dây chuyền cấp đông tôm của phân xưởng số hai thường xuyên bị đóng băng ở dàn lạnh, "
    "mỗi ca phải dừng máy khoảng bốn mươi phút để xả đá bằng tay. Nhóm tác giả đã lắp thêm "
    "bộ cảm biến nhiệt độ và van điện từ để tự động xả đá theo chu kỳ ngắn, đồng thời bọc lại "
    "đường ống hồi môi chất bằng lớp cách nhiệt mới. Sau ba tháng áp dụng, thời gian dừng máy "
    "giảm còn mười phút mỗi ca, điện năng tiêu thụ giảm khoảng mười hai phần trăm và sản lượng "
    "tôm cấp đông tăng thêm gần hai tấn mỗi ngày. Công nhân không còn phải trèo lên giàn lạnh "
    "để gõ đá nên an toàn lao động được bảo đảm hơn."
)

HOSPITAL_QUEUE = (
    "Khoa khám bệnh của bệnh viện thường quá tải vào buổi sáng, người bệnh phải chờ lấy số thứ tự "
    "từ năm giờ sáng. Tập thể điều dưỡng đã xây dựng quy trình đặt lịch khám qua tin nhắn và bảng "
    "hiển thị số thứ tự đặt tại sảnh chờ, kết nối với phần mềm quản lý bệnh viện sẵn có. Người bệnh "
    "được nhắn giờ đến khám dự kiến nên không phải đến quá sớm. Thời gian chờ trung bình giảm từ "
    "hai giờ xuống còn bốn mươi lăm phút, số lượt phàn nàn của người bệnh giảm rõ rệt, nhân viên "
    "tiếp đón được bố trí lại để hỗ trợ người cao tuổi làm thủ tục."
)

SCHOOL_LAB = (
    "Phòng thí nghiệm vật lý của trường thiếu bộ đo gia tốc rơi tự do nên học sinh chỉ được xem "
    "video minh họa. Giáo viên tổ vật lý đã chế tạo bộ thí nghiệm từ cổng quang điện lấy từ máy in "
    "cũ, bo mạch vi điều khiển giá rẻ và thước nhôm, kèm phần mềm hiển thị kết quả trên máy tính. "
    "Chi phí mỗi bộ chỉ khoảng một triệu đồng, bằng một phần mười giá thiết bị nhập khẩu. Học sinh "
    "tự tiến hành đo đạc, sai số nhỏ hơn ba phần trăm, giờ học trở nên sinh động và mười hai trường "
    "trong tỉnh đã xin bản vẽ để làm theo."
)

RUBBER_TAPPING = (
    "Công nhân khai thác mủ cao su phải mang thùng mủ nặng đi bộ hàng cây số trong lô. Tổ sản xuất "
    "đã cải tiến xe đẩy hai bánh có khung thép nhẹ và thùng chứa bằng nhựa có nắp kín, bánh xe rộng "
    "đi được trên đường đất mùa mưa. Mỗi xe chở được bốn thùng mủ, giảm một nửa số lần đi lại, mủ "
    "không bị rơi vãi và không lẫn tạp chất. Năng suất thu gom mỗi công nhân tăng khoảng hai mươi "
    "phần trăm, chi phí chế tạo mỗi xe thấp và dễ sửa chữa tại nông trường."
)

ALL = [FREEZING_LINE, HOSPITAL_QUEUE, SCHOOL_LAB, RUBBER_TAPPING]
