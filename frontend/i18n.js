// Vietnamese first, English second: the portal's strings, the chosen language and the formatters.

const STORAGE_KEY = "motcua.lang";
const LANGS = ["vi", "en"];
const TZ = "Asia/Ho_Chi_Minh";

const STRINGS = {
  vi: {
    "site.name": "Dịch vụ công trực tuyến",
    "site.tagline": "Một cửa điện tử",
    "skip": "Bỏ qua, đến nội dung chính",
    "nav.menu": "Danh mục",
    "nav.catalog": "Thủ tục hành chính",
    "nav.track": "Tra cứu hồ sơ",
    "nav.me": "Hồ sơ của tôi",
    "nav.inbox": "Hộp công việc",
    "nav.signin": "Đăng nhập",
    "nav.signup": "Đăng ký",
    "nav.staff": "Cán bộ",
    "nav.signout": "Đăng xuất",
    "nav.signedin": "Đang đăng nhập:",
    "lang.label": "Ngôn ngữ",
    "loading": "Đang tải…",
    "error.network": "Không kết nối được với máy chủ. Vui lòng kiểm tra mạng và thử lại.",
    "error.generic": "Đã có lỗi xảy ra. Vui lòng thử lại.",
    "error.summary": "Vui lòng kiểm tra các mục sau:",
    "error.notfound": "Không tìm thấy trang này.",
    "retry": "Thử lại",
    "back": "Quay lại",
    "more": "Xem thêm",
    "none": "Không có",
    "yes": "Có",
    "no": "Không",
    "copy": "Sao chép",
    "copied": "Đã sao chép mã hồ sơ.",
    "required": "bắt buộc",
    "optional": "không bắt buộc",
    "choose": "— Chọn —",
    "all": "Tất cả",

    "catalog.title": "Thủ tục hành chính",
    "catalog.intro": "Tìm thủ tục, xem giấy tờ cần chuẩn bị và nộp hồ sơ trực tuyến.",
    "catalog.q": "Tìm thủ tục",
    "catalog.q.hint": "Gõ tên thủ tục, có dấu hoặc không dấu, ví dụ: khai sinh",
    "catalog.agency": "Cơ quan tiếp nhận",
    "catalog.level": "Mức độ dịch vụ",
    "catalog.search": "Tìm kiếm",
    "catalog.results": "Tìm thấy {n} thủ tục",
    "catalog.results.more": "Đang hiển thị {n} thủ tục, còn nữa",
    "catalog.empty": "Không có thủ tục nào phù hợp.",
    "level.full": "Toàn trình",
    "level.partial": "Một phần",
    "level.full.long": "Dịch vụ công trực tuyến toàn trình",
    "level.partial.long": "Dịch vụ công trực tuyến một phần",
    "level.legacy": "Mức độ {n}",

    "track.title": "Tra cứu hồ sơ",
    "track.code": "Mã hồ sơ",
    "track.hint": "Ví dụ: 000.01.01.H99-261117-0001",
    "track.submit": "Tra cứu",
    "track.invalid": "Mã hồ sơ không đúng định dạng (ví dụ: 000.01.01.H99-261117-0001).",
    "track.timeline": "Quá trình xử lý",

    "proc.code": "Mã thủ tục",
    "proc.field": "Lĩnh vực",
    "proc.agency": "Cơ quan tiếp nhận",
    "proc.level": "Mức độ dịch vụ",
    "proc.days": "Thời hạn giải quyết",
    "proc.days.value": "{n} ngày làm việc",
    "proc.fee": "Phí, lệ phí",
    "proc.fee.free": "Miễn phí",
    "proc.papers": "Thành phần hồ sơ",
    "proc.paper.types": "Định dạng chấp nhận: {types}",
    "proc.paper.copies": "Số lượng: {n} bản",
    "proc.delivery": "Cách nhận kết quả",
    "proc.legal": "Căn cứ pháp lý",
    "proc.file": "Nộp hồ sơ trực tuyến",
    "proc.file.signin": "Đăng nhập để nộp hồ sơ",
    "delivery.online": "Trực tuyến",
    "delivery.email": "Thư điện tử",
    "delivery.post": "Bưu chính",
    "delivery.counter": "Tại bộ phận một cửa",

    "file.title": "Nộp hồ sơ trực tuyến",
    "file.applicant": "Thông tin người nộp hồ sơ",
    "file.form": "Thông tin tờ khai",
    "file.papers": "Giấy tờ kèm theo",
    "file.papers.hint": "Chọn tệp PDF, JPG hoặc PNG. Tệp được tải lên ngay khi chọn.",
    "file.submit": "Nộp hồ sơ",
    "file.submitting": "Đang nộp hồ sơ…",
    "file.uploading": "Đang chờ tải tệp lên xong…",
    "file.staff": "Tài khoản cán bộ không nộp hồ sơ. Vui lòng đăng nhập bằng tài khoản công dân.",
    "file.upload.pending": "Còn tệp đang tải lên hoặc bị lỗi. Vui lòng chờ hoặc tải lại.",
    "applicant.full_name": "Họ và tên",
    "applicant.id_number": "Số căn cước (CCCD)",
    "applicant.id_number.hint": "12 chữ số",
    "applicant.phone": "Số điện thoại",
    "applicant.email": "Thư điện tử",
    "applicant.address": "Địa chỉ liên hệ",

    "v.required": "Vui lòng nhập {label}.",
    "v.choose": "Vui lòng chọn {label}.",
    "v.pattern": "{label} không đúng định dạng.",
    "v.cccd": "Số căn cước gồm đúng 12 chữ số.",
    "v.phone": "Số điện thoại không hợp lệ (9–15 chữ số).",
    "v.email": "Địa chỉ thư điện tử không hợp lệ.",
    "v.minLength": "{label} cần ít nhất {n} ký tự.",
    "v.maxLength": "{label} tối đa {n} ký tự.",
    "v.number": "{label} phải là một số.",
    "v.integer": "{label} phải là số nguyên.",
    "v.minimum": "{label} không được nhỏ hơn {n}.",
    "v.maximum": "{label} không được lớn hơn {n}.",
    "v.exclusiveMinimum": "{label} phải lớn hơn {n}.",
    "v.minItems": "{label}: cần ít nhất {n} mục.",
    "v.paper": "Thiếu giấy tờ bắt buộc: {label}.",
    "v.password": "Mật khẩu cần ít nhất 12 ký tự, có chữ hoa, chữ thường, số và ký hiệu.",
    "v.filetype": "Tệp “{name}”: loại tệp không được chấp nhận ({types}).",
    "v.filesize": "Tệp “{name}” vượt quá dung lượng cho phép ({mb} MB).",
    "v.fileempty": "Tệp “{name}” rỗng.",
    "v.maxfiles": "Tối đa {n} tệp cho giấy tờ này.",

    "array.hint": "Mỗi giá trị một dòng hoặc cách nhau bởi dấu phẩy.",
    "array.add": "Thêm dòng",
    "array.remove": "Xóa dòng {n}",
    "array.item": "Dòng {n}",

    "upload.choose": "Chọn tệp",
    "upload.none": "Chưa chọn tệp",
    "upload.max": "tối đa {n} tệp",
    "upload.remove": "Xóa tệp",
    "upload.retry": "Tải lại",
    "upload.waiting": "Đang chờ",
    "upload.progress": "Đang tải lên {p}%",
    "upload.done": "Đã tải lên",
    "upload.failed": "Tải lên không thành công",
    "upload.s3error": "Kho lưu trữ từ chối tệp ({code}).",

    "receipt.title": "Giấy tiếp nhận hồ sơ",
    "receipt.intro": "Hồ sơ của bạn đã được nộp thành công. Vui lòng lưu lại mã hồ sơ để tra cứu.",
    "receipt.code": "Mã hồ sơ",
    "receipt.procedure": "Thủ tục",
    "receipt.agency": "Cơ quan tiếp nhận",
    "receipt.status": "Trạng thái",
    "receipt.filed": "Ngày nộp",
    "receipt.due": "Ngày hẹn trả kết quả",
    "receipt.track": "Theo dõi hồ sơ",
    "receipt.print": "In giấy tiếp nhận",

    "dossier.status": "Trạng thái",
    "dossier.filed": "Ngày nộp",
    "dossier.due": "Hạn giải quyết",
    "dossier.procedure": "Thủ tục",
    "dossier.agency": "Cơ quan tiếp nhận",
    "dossier.reason": "Lý do / nội dung yêu cầu",
    "dossier.paused": "Số ngày tạm dừng",
    "dossier.applicant": "Người nộp hồ sơ",
    "dossier.form": "Nội dung tờ khai",
    "dossier.files": "Tệp đính kèm",
    "dossier.download": "Tải về",
    "dossier.timeline": "Quá trình xử lý",
    "dossier.supplement": "Bổ sung giấy tờ",
    "dossier.supplement.intro": "Cơ quan tiếp nhận yêu cầu bổ sung giấy tờ. Vui lòng đính kèm các giấy tờ được yêu cầu rồi gửi.",
    "dossier.supplement.note": "Ghi chú gửi cơ quan",
    "dossier.supplement.submit": "Gửi giấy tờ bổ sung",
    "dossier.supplement.none": "Vui lòng chọn ít nhất một tệp.",
    "dossier.supplement.done": "Đã gửi giấy tờ bổ sung.",
    "timeline.note": "Ghi chú",

    "me.title": "Hồ sơ của tôi",
    "me.empty": "Bạn chưa nộp hồ sơ nào.",
    "me.citizen": "Trang này dành cho công dân.",

    "auth.signin.title": "Đăng nhập",
    "auth.signin.intro": "Đăng nhập bằng tài khoản công dân để nộp và theo dõi hồ sơ.",
    "auth.email": "Thư điện tử",
    "auth.password": "Mật khẩu",
    "auth.password.hint": "Ít nhất 12 ký tự, có chữ hoa, chữ thường, số và ký hiệu.",
    "auth.show": "Hiện mật khẩu",
    "auth.submit": "Đăng nhập",
    "auth.noaccount": "Chưa có tài khoản?",
    "auth.signup.link": "Đăng ký tài khoản",
    "auth.staff.link": "Cán bộ đăng nhập tại đây",
    "auth.signup.title": "Đăng ký tài khoản công dân",
    "auth.name": "Họ và tên",
    "auth.phone": "Số điện thoại",
    "auth.signup.submit": "Đăng ký",
    "auth.confirm.title": "Xác nhận tài khoản",
    "auth.confirm.intro": "Chúng tôi đã gửi mã xác nhận đến {email}. Nhập mã để kích hoạt tài khoản.",
    "auth.code": "Mã xác nhận",
    "auth.confirm.submit": "Xác nhận",
    "auth.confirmed": "Tài khoản đã được xác nhận. Vui lòng đăng nhập.",
    "auth.staff.title": "Đăng nhập cán bộ",
    "auth.staff.intro": "Dành cho cán bộ, công chức của các cơ quan tiếp nhận và xử lý hồ sơ.",
    "auth.username": "Tên đăng nhập",
    "auth.challenge": "Tài khoản cần thêm bước xác thực ({challenge}) chưa được cổng hỗ trợ.",
    "auth.expired": "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
    "auth.signedout": "Bạn đã đăng xuất.",
    "auth.needstaff": "Trang này dành cho cán bộ. Vui lòng đăng nhập bằng tài khoản cán bộ.",

    "inbox.title": "Hộp công việc",
    "inbox.agency": "Cơ quan: {agency}",
    "inbox.empty": "Không có công việc nào đang chờ xử lý.",
    "inbox.due": "Hạn",
    "inbox.late": "Quá hạn",
    "inbox.today": "Đến hạn hôm nay",
    "inbox.applicant": "Người nộp",
    "inbox.received": "Nhận lúc",
    "inbox.noagency": "Tài khoản chưa được gán cơ quan.",

    "task.title": "Xử lý hồ sơ",
    "task.decision": "Quyết định",
    "task.reason": "Lý do / nội dung",
    "task.reason.hint": "Bắt buộc khi từ chối, yêu cầu bổ sung hoặc dừng xử lý.",
    "task.reason.required": "Vui lòng nêu lý do.",
    "task.noactions": "Công việc này không còn thao tác nào.",
    "task.done": "Đã ghi nhận: hồ sơ chuyển sang “{status}”.",
    "task.state": "Tình trạng công việc",
    "task.role": "Vai trò",
    "action.accept": "Tiếp nhận",
    "action.refuse": "Từ chối tiếp nhận",
    "action.request_papers": "Yêu cầu bổ sung",
    "action.approve": "Phê duyệt",
    "action.reject": "Dừng xử lý",
    "action.return_result": "Trả kết quả",
    "action.supplement": "Công dân bổ sung",
    "action.withdraw": "Công dân rút hồ sơ",
    "state.open": "Đang mở",
    "state.waiting": "Chờ công dân",
    "state.closed": "Đã đóng",
    "role.receiver": "Cán bộ tiếp nhận",
    "role.officer": "Chuyên viên xử lý",
    "role.leader": "Lãnh đạo",
    "role.admin": "Quản trị",
    "timeliness.early": "Trước hạn",
    "timeliness.on_time": "Đúng hạn",
    "timeliness.late": "Trễ hạn",

    "footer.text": "Cổng dịch vụ công một cửa điện tử. Hỗ trợ: liên hệ bộ phận một cửa của cơ quan tiếp nhận.",
  },
  en: {
    "site.name": "Online public services",
    "site.tagline": "One-stop shop",
    "skip": "Skip to main content",
    "nav.menu": "Menu",
    "nav.catalog": "Procedures",
    "nav.track": "Track a dossier",
    "nav.me": "My dossiers",
    "nav.inbox": "Inbox",
    "nav.signin": "Sign in",
    "nav.signup": "Sign up",
    "nav.staff": "Staff",
    "nav.signout": "Sign out",
    "nav.signedin": "Signed in as",
    "lang.label": "Language",
    "loading": "Loading…",
    "error.network": "Could not reach the server. Check your connection and try again.",
    "error.generic": "Something went wrong. Please try again.",
    "error.summary": "Please check the following:",
    "error.notfound": "This page does not exist.",
    "retry": "Try again",
    "back": "Back",
    "more": "More",
    "none": "None",
    "yes": "Yes",
    "no": "No",
    "copy": "Copy",
    "copied": "The dossier code was copied.",
    "required": "required",
    "optional": "optional",
    "choose": "— Choose —",
    "all": "All",

    "catalog.title": "Administrative procedures",
    "catalog.intro": "Find a procedure, see which papers to prepare and file online.",
    "catalog.q": "Search procedures",
    "catalog.q.hint": "Type the name of a procedure, with or without accents, e.g. birth",
    "catalog.agency": "Receiving agency",
    "catalog.level": "Service level",
    "catalog.search": "Search",
    "catalog.results": "{n} procedures found",
    "catalog.results.more": "Showing {n} procedures, more available",
    "catalog.empty": "No procedure matches.",
    "level.full": "Full process",
    "level.partial": "Partial",
    "level.full.long": "Fully online public service",
    "level.partial.long": "Partially online public service",
    "level.legacy": "Level {n}",

    "track.title": "Track a dossier",
    "track.code": "Dossier code",
    "track.hint": "For example: 000.01.01.H99-261117-0001",
    "track.submit": "Track",
    "track.invalid": "This is not a dossier code (for example: 000.01.01.H99-261117-0001).",
    "track.timeline": "History",

    "proc.code": "Procedure code",
    "proc.field": "Field",
    "proc.agency": "Receiving agency",
    "proc.level": "Service level",
    "proc.days": "Time limit",
    "proc.days.value": "{n} working days",
    "proc.days.value.one": "1 working day",
    "proc.fee": "Fees",
    "proc.fee.free": "Free",
    "proc.papers": "Papers to attach",
    "proc.paper.types": "Accepted formats: {types}",
    "proc.paper.copies": "Copies: {n}",
    "proc.delivery": "How the result is delivered",
    "proc.legal": "Legal basis",
    "proc.file": "File online",
    "proc.file.signin": "Sign in to file online",
    "delivery.online": "Online",
    "delivery.email": "Email",
    "delivery.post": "Post",
    "delivery.counter": "At the one-stop counter",

    "file.title": "File a dossier online",
    "file.applicant": "Applicant",
    "file.form": "Application form",
    "file.papers": "Papers",
    "file.papers.hint": "Choose PDF, JPG or PNG files. Each file is uploaded as soon as you choose it.",
    "file.submit": "File the dossier",
    "file.submitting": "Filing the dossier…",
    "file.uploading": "Waiting for the uploads to finish…",
    "file.staff": "Staff accounts do not file dossiers. Please sign in with a citizen account.",
    "file.upload.pending": "Some files are still uploading or failed. Wait, or upload them again.",
    "applicant.full_name": "Full name",
    "applicant.id_number": "Citizen ID number (CCCD)",
    "applicant.id_number.hint": "12 digits",
    "applicant.phone": "Phone number",
    "applicant.email": "Email",
    "applicant.address": "Contact address",

    "v.required": "Enter {label}.",
    "v.choose": "Choose {label}.",
    "v.pattern": "{label} is not in the expected format.",
    "v.cccd": "The citizen ID number has exactly 12 digits.",
    "v.phone": "The phone number is not valid (9–15 digits).",
    "v.email": "The email address is not valid.",
    "v.minLength": "{label} needs at least {n} characters.",
    "v.maxLength": "{label} allows at most {n} characters.",
    "v.number": "{label} must be a number.",
    "v.integer": "{label} must be a whole number.",
    "v.minimum": "{label} must be at least {n}.",
    "v.maximum": "{label} must be at most {n}.",
    "v.exclusiveMinimum": "{label} must be greater than {n}.",
    "v.minItems": "{label}: at least {n} entries are needed.",
    "v.paper": "A required paper is missing: {label}.",
    "v.password": "The password needs 12+ characters with upper and lower case, digits and symbols.",
    "v.filetype": "File “{name}”: this type is not accepted ({types}).",
    "v.filesize": "File “{name}” is larger than {mb} MB.",
    "v.fileempty": "File “{name}” is empty.",
    "v.maxfiles": "At most {n} files for this paper.",

    "array.hint": "One value per line, or separated by commas.",
    "array.add": "Add a row",
    "array.remove": "Remove row {n}",
    "array.item": "Row {n}",

    "upload.choose": "Choose files",
    "upload.none": "No file chosen",
    "upload.max": "at most {n} files",
    "upload.remove": "Remove file",
    "upload.retry": "Upload again",
    "upload.waiting": "Waiting",
    "upload.progress": "Uploading {p}%",
    "upload.done": "Uploaded",
    "upload.failed": "Upload failed",
    "upload.s3error": "The storage refused the file ({code}).",

    "receipt.title": "Dossier receipt",
    "receipt.intro": "Your dossier has been filed. Keep the dossier code to track it.",
    "receipt.code": "Dossier code",
    "receipt.procedure": "Procedure",
    "receipt.agency": "Receiving agency",
    "receipt.status": "Status",
    "receipt.filed": "Filed on",
    "receipt.due": "Result due on",
    "receipt.track": "Track this dossier",
    "receipt.print": "Print the receipt",

    "dossier.status": "Status",
    "dossier.filed": "Filed on",
    "dossier.due": "Due on",
    "dossier.procedure": "Procedure",
    "dossier.agency": "Receiving agency",
    "dossier.reason": "Reason / request",
    "dossier.paused": "Days paused",
    "dossier.applicant": "Applicant",
    "dossier.form": "Application form",
    "dossier.files": "Attachments",
    "dossier.download": "Download",
    "dossier.timeline": "History",
    "dossier.supplement": "Add papers",
    "dossier.supplement.intro": "The agency asked for more papers. Attach the papers requested and send them.",
    "dossier.supplement.note": "Note to the agency",
    "dossier.supplement.submit": "Send the papers",
    "dossier.supplement.none": "Choose at least one file.",
    "dossier.supplement.done": "The papers were sent.",
    "timeline.note": "Note",

    "me.title": "My dossiers",
    "me.empty": "You have not filed any dossier yet.",
    "me.citizen": "This page is for citizens.",

    "auth.signin.title": "Sign in",
    "auth.signin.intro": "Sign in with your citizen account to file and follow dossiers.",
    "auth.email": "Email",
    "auth.password": "Password",
    "auth.password.hint": "At least 12 characters with upper and lower case, digits and symbols.",
    "auth.show": "Show password",
    "auth.submit": "Sign in",
    "auth.noaccount": "No account yet?",
    "auth.signup.link": "Create an account",
    "auth.staff.link": "Staff sign in here",
    "auth.signup.title": "Create a citizen account",
    "auth.name": "Full name",
    "auth.phone": "Phone number",
    "auth.signup.submit": "Sign up",
    "auth.confirm.title": "Confirm your account",
    "auth.confirm.intro": "We sent a confirmation code to {email}. Enter it to activate your account.",
    "auth.code": "Confirmation code",
    "auth.confirm.submit": "Confirm",
    "auth.confirmed": "Your account is confirmed. Please sign in.",
    "auth.staff.title": "Staff sign-in",
    "auth.staff.intro": "For officers of the agencies that receive and process dossiers.",
    "auth.username": "Username",
    "auth.challenge": "This account needs an extra sign-in step ({challenge}) the portal does not support yet.",
    "auth.expired": "Your session has expired. Please sign in again.",
    "auth.signedout": "You are signed out.",
    "auth.needstaff": "This page is for staff. Please sign in with a staff account.",

    "inbox.title": "Inbox",
    "inbox.agency": "Agency: {agency}",
    "inbox.empty": "No open tasks.",
    "inbox.due": "Due",
    "inbox.late": "Late",
    "inbox.today": "Due today",
    "inbox.applicant": "Applicant",
    "inbox.received": "Received",
    "inbox.noagency": "This account has no agency.",

    "task.title": "Process a dossier",
    "task.decision": "Decision",
    "task.reason": "Reason / details",
    "task.reason.hint": "Required to refuse, to request papers or to stop processing.",
    "task.reason.required": "Give a reason.",
    "task.noactions": "No action is possible on this task any more.",
    "task.done": "Recorded: the dossier is now “{status}”.",
    "task.state": "Task",
    "task.role": "Role",
    "action.accept": "Accept",
    "action.refuse": "Refuse",
    "action.request_papers": "Request papers",
    "action.approve": "Approve",
    "action.reject": "Stop processing",
    "action.return_result": "Return the result",
    "action.supplement": "Papers added",
    "action.withdraw": "Withdrawn",
    "state.open": "Open",
    "state.waiting": "Waiting for the citizen",
    "state.closed": "Closed",
    "role.receiver": "Receiving officer",
    "role.officer": "Processing officer",
    "role.leader": "Leader",
    "role.admin": "Administrator",
    "timeliness.early": "Early",
    "timeliness.on_time": "On time",
    "timeliness.late": "Late",

    "footer.text": "One-stop online public service portal. Help: contact the one-stop counter of the receiving agency.",
  },
};

let current = initialLanguage();

function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    /* storage may be disabled: fall back to Vietnamese */
  }
  return "vi";
}

export function lang() {
  return current;
}

export function setLang(value) {
  if (!LANGS.includes(value)) return;
  current = value;
  try {
    localStorage.setItem(STORAGE_KEY, value);
  } catch {
    /* the choice then lasts for this page only */
  }
  document.documentElement.lang = value;
}

/** The string for `key` in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  // English needs a singular now and then ("1 working day"); Vietnamese never does.
  const one = Number(vars.n) === 1 ? STRINGS[current][`${key}.one`] : undefined;
  const text = one ?? STRINGS[current][key] ?? STRINGS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** A value the API may send either as plain text or as {vi, en}. */
export function tx(value) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  return value[current] ?? value.vi ?? "";
}

const dateFormat = new Intl.DateTimeFormat("vi-VN", {
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  timeZone: TZ,
});
const timeFormat = new Intl.DateTimeFormat("vi-VN", {
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
  timeZone: TZ,
});
const dayKeyFormat = new Intl.DateTimeFormat("en-CA", { timeZone: TZ }); // YYYY-MM-DD
const money = new Intl.NumberFormat("vi-VN", { style: "currency", currency: "VND" });

/** dd/mm/yyyy in Vietnam's time zone. */
export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateFormat.format(d);
}

/** hh:mm dd/mm/yyyy in Vietnam's time zone. */
export function formatDateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${timeFormat.format(d)} ${dateFormat.format(d)}`;
}

/** YYYY-MM-DD of the day in Vietnam, to compare calendar days. */
export function dayKey(date) {
  return dayKeyFormat.format(date);
}

export function formatVnd(amount) {
  return money.format(Number(amount) || 0);
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
