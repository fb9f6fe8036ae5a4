// UI labels of the staff pages in English and Indonesian. Customer and agent texts are
// never translated here: only the labels around them. Static labels use data-i18n="key".

const LABELS = {
  en: {
    "nav.inbox": "Inbox", "nav.transcripts": "Transcripts", "nav.dashboard": "Dashboard",
    "ui.support": "Support", "ui.pages": "Pages", "ui.logout": "Log out", "ui.cancel": "Cancel",
    "ui.loading": "Loading…", "ui.switchLanguage": "Bahasa Indonesia / English",
    "login.title": "Sign in", "login.username": "Username", "login.password": "Password",
    "login.submit": "Sign in", "login.bad": "Wrong username or password.",
    "login.forbidden": "Your role cannot open this page.",
    "queue.title": "Queue", "queue.connecting": "connecting…", "queue.live": "live",
    "queue.reconnecting": "reconnecting…", "queue.empty": "No one is waiting.", "queue.customer": "Customer",
    "status.queued": "waiting", "status.assigned": "assigned", "status.resolved": "resolved",
    "status.assignedTo": (name) => `with ${name}`,
    "sender.customer": "Customer", "sender.bot": "Bot", "sender.agent": "Agent", "sender.system": "System",
    "delivery.sent": "sent outside the chat", "delivery.delivered": "delivered", "delivery.read": "read",
    "delivery.failed": (error) => `not delivered: ${error}`,
    "reason.customer_request": "Asked for a person", "reason.complaint": "Complaint",
    "reason.not_understood": "Not understood", "reason.answer_not_helpful": "Answer not helpful",
    "reason.verification_failed": "Verification failed", "reason.order_not_found": "Order not found",
    "reason.order_already_shipped": "Already shipped", "reason.order_delayed": "Order delayed",
    "reason.order_delivered_issue": "Delivery problem", "reason.refund_request": "Refund",
    "reason.assistant_unavailable": "Bot unavailable",
    "conv.pick": "Pick a conversation from the queue.", "conv.summary": "Summary",
    "conv.noSummary": "No summary.", "conv.reason": "Reason", "conv.priority": "Priority",
    "conv.since": "Waiting since", "conv.intents": "What the bot understood",
    "conv.order": "Order", "conv.verified": "verified", "conv.noOrder": "No verified order.",
    "conv.previous": "Previous conversations", "conv.noPrevious": "First conversation.",
    "conv.notes": "Internal notes", "conv.transcript": "Transcript", "conv.customerTyping": "Customer is typing…",
    "conv.channel": "Channel", "conv.language": "Language", "conv.claim": "Claim",
    "conv.transfer": "Back to queue", "conv.resolve": "Resolve",
    "conv.resolveTitle": "Resolve this conversation?",
    "conv.resolveText": "The conversation goes back to the bot, which asks the customer how easy it was.",
    "conv.taken": (name) => `Already taken by ${name}.`, "conv.alreadyResolved": "Already resolved.",
    "order.id": "Order", "order.status": "Status", "order.customer": "Name", "order.total": "Total",
    "order.carrier": "Shipping", "order.eta": "Expected", "order.address": "Address",
    "composer.text": "Message", "composer.send": "Send", "composer.canned": "Canned replies…",
    "composer.reply": "Reply", "composer.note": "Internal note",
    "composer.claimFirst": "Claim the conversation to reply.",
    "composer.replyPlaceholder": "Reply to the customer (Enter sends, Shift+Enter new line)",
    "composer.notePlaceholder": "Note for colleagues — never shown to the customer",
    "composer.replyingAs": (name) => `Replying as ${name}`, "composer.noteHint": "Only agents see notes.",
    "ops.title": "Transcripts", "ops.search": "Search text", "ops.from": "From", "ops.to": "To",
    "ops.channel": "Channel", "ops.language": "Language", "ops.reason": "Escalation reason",
    "ops.ces": "CES score", "ops.agent": "Agent ID", "ops.resolvedBy": "Resolved by", "ops.any": "Any",
    "ops.bot": "Bot", "ops.human": "Person", "ops.apply": "Apply", "ops.reset": "Reset",
    "ops.exportCsv": "Export CSV", "ops.exportJsonl": "Export JSON Lines",
    "ops.results": (n) => `${n} conversations`, "ops.date": "Started", "ops.preview": "Preview",
    "ops.messages": "Msgs", "ops.noResults": "No conversation matches.", "ops.prev": "Previous",
    "ops.next": "Next", "ops.showOriginal": "Show original", "ops.print": "Print",
    "ops.close": "Close", "ops.redacted": "Personal data redacted", "ops.original": "Original text (unredacted)",
    "ops.survey": "CES answer", "ops.closeReason": "Closed", "ops.pick": "Open a conversation to read it.",
    "dash.title": "Service dashboard", "dash.range": "Date range", "dash.show": "Show",
    "dash.conversations": "Conversations", "dash.conversationsHint": "started in the range",
    "dash.containment": "Containment", "dash.containmentHint": (a, b) => `${a} of ${b} closed conversations never needed a person`,
    "dash.handoffRate": "Handoff rate", "dash.handoffRateHint": (n) => `${n} conversations were handed to a person`,
    "dash.cesMean": "CES mean (1–7)", "dash.cesMeanHint": (n) => `average of ${n} answers; 7 = very easy`,
    "dash.easyShare": "Easy (5–7)", "dash.easyShareHint": "share of answers scoring 5, 6 or 7",
    "dash.netEffort": "Net effort", "dash.netEffortHint": "% easy (5–7) minus % hard (1–3)",
    "dash.responseRate": "Survey response rate", "dash.responseRateHint": (a, b) => `${a} answers to ${b} surveys sent`,
    "dash.botResolved": "Bot resolutions", "dash.botResolvedHint": (c, a) => `${c} confirmed by the customer, ${a} assumed (customer left)`,
    "dash.reopened": "Reopened within 24 h", "dash.reopenedHint": (a, b) => `${a} of ${b} closed conversations came back within a day`,
    "dash.perDay": "Conversations per day", "dash.byReason": "Handoff rate by reason",
    "dash.cesDistribution": "CES answers, 1 (very hard) to 7 (very easy)",
    "dash.cesCompare": "CES mean: bot only vs handed off, and by reason",
    "dash.times": "Service times (median p50 and 90th percentile p90)",
    "dash.timeToAgent": "Time to agent", "dash.timeToAgentHint": "from handoff to an agent claiming it",
    "dash.firstResponse": "First agent response", "dash.firstResponseHint": "from claim to the agent's first reply",
    "dash.handling": "Handling time", "dash.handlingHint": "from claim to resolve",
    "dash.promiseKept": "Wait promise kept", "dash.promiseKeptHint": (a, n, none) => `${a} of ${n} customers answered no later than the bot said; ${none} told no time (nobody online)`,
    "dash.promiseError": "Wait estimate error", "dash.promiseErrorHint": "answered minus promised; − = sooner than promised",
    "dash.botOnly": "Bot only", "dash.handedOff": "Handed off", "dash.answers": (n) => `${n} answers`,
    "dash.noData": "No data in this range.", "dash.sample": (n) => `n = ${n}`,
  },
  id: {
    "nav.inbox": "Kotak masuk", "nav.transcripts": "Transkrip", "nav.dashboard": "Dasbor",
    "ui.support": "Layanan", "ui.pages": "Halaman", "ui.logout": "Keluar", "ui.cancel": "Batal",
    "ui.loading": "Memuat…",
    "login.title": "Masuk", "login.username": "Nama pengguna", "login.password": "Kata sandi",
    "login.submit": "Masuk", "login.bad": "Nama pengguna atau kata sandi salah.",
    "login.forbidden": "Peran Anda tidak dapat membuka halaman ini.",
    "queue.title": "Antrean", "queue.connecting": "menyambung…", "queue.live": "langsung",
    "queue.reconnecting": "menyambung ulang…", "queue.empty": "Tidak ada yang menunggu.", "queue.customer": "Pelanggan",
    "status.queued": "menunggu", "status.assigned": "ditangani", "status.resolved": "selesai",
    "status.assignedTo": (name) => `ditangani ${name}`,
    "sender.customer": "Pelanggan", "sender.bot": "Bot", "sender.agent": "Petugas", "sender.system": "Sistem",
    "delivery.sent": "terkirim di luar obrolan", "delivery.delivered": "sampai", "delivery.read": "dibaca",
    "delivery.failed": (error) => `tidak terkirim: ${error}`,
    "reason.customer_request": "Minta petugas", "reason.complaint": "Keluhan",
    "reason.not_understood": "Tidak dipahami", "reason.answer_not_helpful": "Jawaban tidak membantu",
    "reason.verification_failed": "Verifikasi gagal", "reason.order_not_found": "Pesanan tidak ditemukan",
    "reason.order_already_shipped": "Sudah dikirim", "reason.order_delayed": "Pesanan terlambat",
    "reason.order_delivered_issue": "Masalah pengiriman", "reason.refund_request": "Pengembalian dana",
    "reason.assistant_unavailable": "Bot tidak tersedia",
    "conv.pick": "Pilih percakapan dari antrean.", "conv.summary": "Ringkasan",
    "conv.noSummary": "Tidak ada ringkasan.", "conv.reason": "Alasan", "conv.priority": "Prioritas",
    "conv.since": "Menunggu sejak", "conv.intents": "Yang dipahami bot",
    "conv.order": "Pesanan", "conv.verified": "terverifikasi", "conv.noOrder": "Tidak ada pesanan terverifikasi.",
    "conv.previous": "Percakapan sebelumnya", "conv.noPrevious": "Percakapan pertama.",
    "conv.notes": "Catatan internal", "conv.transcript": "Transkrip", "conv.customerTyping": "Pelanggan sedang mengetik…",
    "conv.channel": "Kanal", "conv.language": "Bahasa", "conv.claim": "Ambil",
    "conv.transfer": "Kembalikan ke antrean", "conv.resolve": "Selesaikan",
    "conv.resolveTitle": "Selesaikan percakapan ini?",
    "conv.resolveText": "Percakapan kembali ke bot, yang menanyakan seberapa mudah prosesnya bagi pelanggan.",
    "conv.taken": (name) => `Sudah diambil oleh ${name}.`, "conv.alreadyResolved": "Sudah selesai.",
    "order.id": "Pesanan", "order.status": "Status", "order.customer": "Nama", "order.total": "Total",
    "order.carrier": "Pengiriman", "order.eta": "Perkiraan tiba", "order.address": "Alamat",
    "composer.text": "Pesan", "composer.send": "Kirim", "composer.canned": "Balasan siap pakai…",
    "composer.reply": "Balas", "composer.note": "Catatan internal",
    "composer.claimFirst": "Ambil percakapan ini untuk membalas.",
    "composer.replyPlaceholder": "Balas pelanggan (Enter kirim, Shift+Enter baris baru)",
    "composer.notePlaceholder": "Catatan untuk rekan — tidak pernah terlihat pelanggan",
    "composer.replyingAs": (name) => `Membalas sebagai ${name}`, "composer.noteHint": "Hanya petugas yang melihat catatan.",
    "ops.title": "Transkrip", "ops.search": "Cari teks", "ops.from": "Dari", "ops.to": "Sampai",
    "ops.channel": "Kanal", "ops.language": "Bahasa", "ops.reason": "Alasan eskalasi",
    "ops.ces": "Skor CES", "ops.agent": "ID petugas", "ops.resolvedBy": "Diselesaikan oleh", "ops.any": "Semua",
    "ops.bot": "Bot", "ops.human": "Petugas", "ops.apply": "Terapkan", "ops.reset": "Atur ulang",
    "ops.exportCsv": "Ekspor CSV", "ops.exportJsonl": "Ekspor JSON Lines",
    "ops.results": (n) => `${n} percakapan`, "ops.date": "Mulai", "ops.preview": "Cuplikan",
    "ops.messages": "Pesan", "ops.noResults": "Tidak ada percakapan yang cocok.", "ops.prev": "Sebelumnya",
    "ops.next": "Berikutnya", "ops.showOriginal": "Tampilkan asli", "ops.print": "Cetak",
    "ops.close": "Tutup", "ops.redacted": "Data pribadi disamarkan", "ops.original": "Teks asli (tidak disamarkan)",
    "ops.survey": "Jawaban CES", "ops.closeReason": "Ditutup", "ops.pick": "Buka percakapan untuk membacanya.",
    "dash.title": "Dasbor layanan", "dash.range": "Rentang tanggal", "dash.show": "Tampilkan",
    "dash.conversations": "Percakapan", "dash.conversationsHint": "dimulai dalam rentang ini",
    "dash.containment": "Selesai oleh bot", "dash.containmentHint": (a, b) => `${a} dari ${b} percakapan selesai tanpa petugas`,
    "dash.handoffRate": "Tingkat alih ke petugas", "dash.handoffRateHint": (n) => `${n} percakapan dialihkan ke petugas`,
    "dash.cesMean": "Rata-rata CES (1–7)", "dash.cesMeanHint": (n) => `rata-rata ${n} jawaban; 7 = sangat mudah`,
    "dash.easyShare": "Mudah (5–7)", "dash.easyShareHint": "porsi jawaban bernilai 5, 6 atau 7",
    "dash.netEffort": "Net effort", "dash.netEffortHint": "% mudah (5–7) dikurangi % sulit (1–3)",
    "dash.responseRate": "Tingkat respons survei", "dash.responseRateHint": (a, b) => `${a} jawaban dari ${b} survei`,
    "dash.botResolved": "Selesai oleh bot", "dash.botResolvedHint": (c, a) => `${c} dikonfirmasi pelanggan, ${a} diasumsikan`,
    "dash.reopened": "Dibuka lagi dalam 24 jam", "dash.reopenedHint": (a, b) => `${a} dari ${b} percakapan kembali dalam sehari`,
    "dash.perDay": "Percakapan per hari", "dash.byReason": "Tingkat alih per alasan",
    "dash.cesDistribution": "Jawaban CES, 1 (sangat sulit) sampai 7 (sangat mudah)",
    "dash.cesCompare": "Rata-rata CES: hanya bot vs dialihkan, dan per alasan",
    "dash.times": "Waktu layanan (median p50 dan persentil ke-90 p90)",
    "dash.timeToAgent": "Waktu sampai petugas", "dash.timeToAgentHint": "dari alih sampai petugas mengambil",
    "dash.firstResponse": "Balasan pertama petugas", "dash.firstResponseHint": "dari diambil sampai balasan pertama",
    "dash.handling": "Waktu penanganan", "dash.handlingHint": "dari diambil sampai selesai",
    "dash.promiseKept": "Janji waktu tunggu ditepati", "dash.promiseKeptHint": (a, n, none) => `${a} dari ${n} pelanggan dibalas tidak lebih lambat dari kata bot; ${none} tanpa janji waktu (tidak ada yang online)`,
    "dash.promiseError": "Selisih perkiraan tunggu", "dash.promiseErrorHint": "dibalas dikurangi dijanjikan; − = lebih cepat dari janji",
    "dash.botOnly": "Hanya bot", "dash.handedOff": "Dialihkan", "dash.answers": (n) => `${n} jawaban`,
    "dash.noData": "Tidak ada data dalam rentang ini.", "dash.sample": (n) => `n = ${n}`,
  },
};

const STORAGE_KEY = "tokonusa.ui.language";
const listeners = new Set();
let current = localStorage.getItem(STORAGE_KEY) || "en"; // staff UI defaults to English

export const language = () => current;

/** The label for key; functions get args; an unknown key falls back to args[0], then the key. */
export function t(key, ...args) {
  const value = LABELS[current][key] ?? LABELS.en[key];
  if (typeof value === "function") return value(...args);
  return value ?? (typeof args[0] === "string" ? args[0] : key);
}

export function applyLabels(root = document) {
  document.documentElement.lang = current;
  root.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
}

export function onLanguageChange(listener) { listeners.add(listener); }

export function setLanguage(code) {
  current = code;
  localStorage.setItem(STORAGE_KEY, code);
  applyLabels();
  listeners.forEach((listener) => listener(code));
}
