"""Redaction of what customers really type, in both languages: names they introduce
themselves with, NIK and NPWP numbers, phone numbers in every usual spelling (dotted,
spaced, +62/62/0, landlines) and Indonesian addresses without "Jl."; and no over-redaction
of order numbers, prices and dates."""

from __future__ import annotations

import pytest

from handoff.redaction import redact_json, redact_text


@pytest.mark.parametrize(("typed", "shown"), [
    # Names
    ("Halo kak, nama saya Budi Santoso, mau tanya pesanan ORD-583920",
     "Halo kak, nama saya [name], mau tanya pesanan ORD-583920"),
    ("nama saya rina wijaya dan email rina@example.com",
     "nama saya [name] dan email [email]"),
    ("Namaku Dewi Lestari ya kak", "Namaku [name] ya kak"),
    ("Saya Rina, pesanan saya belum sampai", "Saya [name], pesanan saya belum sampai"),
    ("Hi, my name is John Smith and I ordered a batik shirt",
     "Hi, my name is [name] and I ordered a batik shirt"),
    ("this is Budi from Bandung, where is my parcel?",
     "this is [name] from Bandung, where is my parcel?"),
    ("I'm Sarah, my order is late", "I'm [name], my order is late"),
    # NIK and NPWP
    ("NIK saya 3174055208900001 untuk klaim asuransi",
     "NIK saya [nik] untuk klaim asuransi"),
    ("nik: 3273 0115 0785 0003", "nik: [nik]"),
    ("Untuk faktur pajak, NPWP kami 12.345.678.9-012.345 a.n. PT Maju",
     "Untuk faktur pajak, NPWP kami [npwp] a.n. PT Maju"),
    ("my tax number (NPWP) is 012345678901000", "my tax number (NPWP) is [npwp]"),
    # Phones
    ("hp saya 0812.3456.7890 ya kak", "hp saya [phone] ya kak"),
    ("WA ke 62 812 3456 7890 atau 0812 3456 7890", "WA ke [phone] atau [phone]"),
    ("telp kantor (021) 555-1234 jam kerja", "telp kantor [phone] jam kerja"),
    ("landline 021-5551234 or +62 21 5551234", "landline [phone] or [phone]"),
    ("call me at +62 812-3456-7890 after 5pm", "call me at [phone] after 5pm"),
    # Addresses without "Jl."
    ("kirim ke Gg. Mawar No. 5 RT 03/RW 05, Kel. Sukajadi, Bandung",
     "kirim ke [address], Kel. Sukajadi, Bandung"),
    ("alamat baru Perum Griya Asri Blok C2 No. 7, Bekasi", "alamat baru [address], Bekasi"),
    ("Komp. Taman Sari blok B/12 dekat masjid", "[address] dekat masjid"),
    ("Komplek Bumi Indah Blok F3", "[address]"),
    ("rumah saya di Gang Kelinci 3 no 12", "rumah saya di [address]"),
    ("RT.003 RW.005 Kel. Cempaka Putih", "[address] Kel. Cempaka Putih"),
    ("please ship to Jalan Ahmad Yani no. 45 Surabaya", "please ship to [address] Surabaya"),
])
def test_personal_data_typed_in_chat_is_redacted(typed, shown):
    assert redact_text(typed) == shown


@pytest.mark.parametrize("typed", [
    "pesanan ORD-583920 sudah jalan belum?",
    "nomor pesanan 583920 kak",
    "total Rp 1.200.000, ongkir Rp 62.500.000 kok mahal",
    "harga Rp 350.000 x 2 = Rp 700.000, tanggal 12-11-2026",
    "my order ORD-100001 total IDR 1,250,000 on 2026-11-20",
    "dikirim tgl 20/11/2026 jam 08.30",
    "resi JNE0123456789 belum update",
    "kode pos 40123",
    "saya mau cek pesanan",
    "Saya Mau komplain, barangnya rusak",
    "This is really annoying",
    "I am Not happy with the delivery",
    "blok ini gak jelas",
    "saya beli 2 barang No. 1 dan 2",
    "pilih no 2 aja kak",
    "nomor transaksi 4111111111111112 gagal",  # 16 digits, neither a card nor a NIK
])
def test_order_numbers_prices_dates_and_plain_words_are_left_alone(typed):
    assert redact_text(typed) == typed


def test_a_transcript_in_json_is_redacted_the_same_way():
    masked = redact_json({"messages": [
        {"sender": "customer", "text": "Nama saya Budi, NIK 3273011507850003"},
        {"sender": "bot", "text": "Pesanan ORD-583920 dikirim 20/11/2026"},
    ]})
    assert [m["text"] for m in masked["messages"]] == [
        "Nama saya [name], NIK [nik]", "Pesanan ORD-583920 dikirim 20/11/2026"]
