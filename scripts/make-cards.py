"""Photos of made-up advertising cards, with ground truth (run through scripts/make-cards).

Each card carries some of: a mainland mobile number, a WeChat id, a QQ number
and a QR code (a tel: link, a WeChat link or id, a QQ link), written the ways
such cards write them, among advertising text. The card is photographed:
put on a background (a car window, a door), turned, seen at an angle, shaded,
blurred and saved as a JPEG, more of each from easy to hard.

Ground truth (truth.json) lists, per photo, the contacts printed on it in the
service's normalised form (phones in E.164, ids in lower case), and which of
them a QR code holds. Everything is drawn from a seeded generator: the same
arguments make the same files.
"""

import argparse
import io
import json
import math
import os
import random

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
]

MOBILE_PREFIXES = (
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["166", "170", "171", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "198", "199"]
)

TITLES = ["高端商务模特", "学生兼职", "上门服务", "空姐 少妇 白领", "丝足按摩", "私人会所",
          "快速贷款 无抵押", "办证 刻章", "高价回收手机", "同城交友", "美女陪聊", "酒店宾馆上门",
          "足浴 SPA 养生", "诚信经营 安全保密", "24小时服务"]
BLURBS = ["全天24小时服务 安全保密", "环境优雅 价格优惠", "新到学生妹 气质佳", "一条龙服务 包你满意",
          "随叫随到 诚信第一", "本地真实 无押金", "欢迎来电咨询", "价格 300 500 800 元",
          "地址：附近酒店", "先服务后付款", "身材好 颜值高", "长期有效"]
PHONE_LABELS = ["电话：", "电话:", "手机：", "预约电话：", "热线 ", "Tel:", "☎ ", "", "咨询热线："]
WECHAT_LABELS = ["微信：", "微信号：", "VX:", "vx：", "V信：", "加V：", "WX:", "wx ", "微信 ", "薇信："]
QQ_LABELS = ["QQ：", "QQ:", "QQ号：", "扣扣：", "qq "]
NAMES = ["lily", "anna", "xiaomei", "mm", "tt", "yy", "coco", "vivi", "kiki", "sweet", "baby",
         "meimei", "lucky", "happy", "ailin", "xixi", "jiajia", "nana", "sisi", "cici"]

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789"}


def mobile(rng):
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def spell_mobile(rng, n):
    style = rng.random()
    if style < 0.35:
        s = n
    elif style < 0.6:
        s = f"{n[:3]} {n[3:7]} {n[7:]}"
    elif style < 0.8:
        s = f"{n[:3]}-{n[3:7]}-{n[7:]}"
    elif style < 0.9:
        s = f"+86 {n}"
    else:
        s = "".join(FULL_WIDTH.get(c, c) for c in n)
    return s


def wechat_id(rng):
    name = rng.choice(NAMES)
    tail = rng.choice([str(rng.randint(1, 9999)), str(rng.randint(1985, 2005)), "_" + str(rng.randint(10, 999)),
                       rng.choice(["520", "666", "888", "1314"])])
    wid = name + tail
    if len(wid) < 6:
        wid += str(rng.randint(100, 999))
    if rng.random() < 0.3:
        wid = wid.capitalize()
    return wid[:20]


def qq_number(rng):
    return str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 9)))


def font(rng, size, bold=False):
    path, index = rng.choice([f for f in FONTS if os.path.exists(f[0])] or FONTS[:1])
    if bold and os.path.exists(FONTS[2][0]):
        path, index = FONTS[2]
    return ImageFont.truetype(path, size, index=index)


PALETTES = [  # background, title, text
    ((255, 240, 245), (200, 0, 60), (40, 0, 20)),
    ((255, 255, 255), (220, 0, 0), (0, 0, 0)),
    ((20, 20, 20), (255, 215, 0), (255, 255, 255)),
    ((255, 230, 0), (200, 0, 0), (0, 0, 0)),
    ((230, 0, 40), (255, 255, 0), (255, 255, 255)),
    ((250, 250, 235), (0, 60, 160), (20, 20, 20)),
]


def make_card(rng, difficulty):
    """The card as printed (an RGB image) and its contacts."""
    w, h = 900, 540
    bg, title_c, text_c = rng.choice(PALETTES)
    card = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(card)
    truth = []
    lines = []  # (text, colour, size)
    has_phone = rng.random() < 0.85
    has_wechat = rng.random() < 0.7 or not has_phone
    has_qq = rng.random() < 0.3
    has_qr = rng.random() < 0.5
    if has_phone:
        n = mobile(rng)
        truth.append({"kind": "phone", "value": "+86" + n, "in_qr": False, "printed": True})
        lines.append((rng.choice(PHONE_LABELS) + spell_mobile(rng, n), text_c, rng.randint(44, 58)))
    if has_wechat:
        wid = wechat_id(rng)
        truth.append({"kind": "wechat", "value": wid.lower(), "in_qr": False, "printed": True})
        lines.append((rng.choice(WECHAT_LABELS) + wid, text_c, rng.randint(40, 54)))
    if has_qq:
        q = qq_number(rng)
        truth.append({"kind": "qq", "value": q, "in_qr": False, "printed": True})
        lines.append((rng.choice(QQ_LABELS) + q, text_c, rng.randint(38, 50)))
    rng.shuffle(lines)
    blurb = (rng.choice(BLURBS), text_c, rng.randint(26, 34))
    lines.insert(rng.randint(0, len(lines)), blurb)
    qr_image = None
    if has_qr:
        kind = rng.random()
        if kind < 0.3 and has_phone:
            payload, entry = "tel:" + truth[0]["value"], truth[0]
        elif kind < 0.6:
            code = "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(rng.randint(10, 16)))
            payload = f"https://u.wechat.com/{code}"
            entry = {"kind": "url", "value": payload, "in_qr": True, "printed": False}
            truth.append(entry)
        elif kind < 0.8:
            q = qq_number(rng)
            payload = f"http://wpa.qq.com/msgrd?v=3&uin={q}&site=qq&menu=yes"
            entry = {"kind": "qq", "value": q, "in_qr": True, "printed": False}
            truth.append(entry)
        else:
            wid = wechat_id(rng)
            payload = f"weixin://contacts/profile/{wid}"
            entry = {"kind": "wechat", "value": wid.lower(), "in_qr": True, "printed": False}
            truth.append(entry)
        entry["in_qr"] = True
        qr = segno.make(payload, error=rng.choice("lmq"), micro=False)
        buf = io.BytesIO()
        qr.save(buf, kind="png", scale=6, border=2, dark=(0, 0, 0), light=(255, 255, 255))
        qr_image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        side = rng.randint(200, 250)
        qr_image = qr_image.resize((side, side), Image.NEAREST)
    # Layout: title, then lines; the QR code on the right.
    text_right = w - 40 - (qr_image.width + 30 if qr_image else 0)
    y = 30
    title = rng.choice(TITLES)
    tf = font(rng, rng.randint(60, 76), bold=True)
    draw.text((40, y), title, fill=title_c, font=tf)
    y += tf.size + 40
    for text, colour, size in lines:
        f = font(rng, size)
        while draw.textlength(text, font=f) > text_right - 40 and size > 20:
            size -= 2
            f = font(rng, size)
        draw.text((40, y), text, fill=colour, font=f)
        y += size + rng.randint(18, 30)
    if qr_image:
        card.paste(qr_image, (w - 40 - qr_image.width, h - 40 - qr_image.height))
    return card, truth


def background(rng, size):
    w, h = size
    base = np.array(rng.choice([(60, 70, 80), (180, 180, 170), (120, 90, 60), (30, 30, 35), (200, 200, 210)]), dtype=np.float32)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 18, (h // 8 + 1, w // 8 + 1, 1)).astype(np.float32)
    img = Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8)).resize((w, h), Image.BILINEAR)
    return img


def find_coeffs(dst, src):
    """Coefficients for PIL's perspective transform mapping `dst` corners back to `src`."""
    matrix = []
    for (x, y), (u, v) in zip(dst, src):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(matrix, dtype=np.float64)
    b = np.array(src, dtype=np.float64).reshape(8)
    return np.linalg.solve(a, b).tolist()


LEVELS = {
    #          card width share, tilt deg, corner jitter, blur px, shadow, jpeg quality, noise
    "easy": dict(share=(0.6, 0.8), tilt=5, jitter=0.02, blur=(0.0, 0.5), shadow=0.0, quality=(85, 95), noise=2),
    "medium": dict(share=(0.45, 0.65), tilt=15, jitter=0.06, blur=(0.6, 1.3), shadow=0.35, quality=(60, 80), noise=5),
    "hard": dict(share=(0.35, 0.5), tilt=30, jitter=0.1, blur=(1.2, 2.0), shadow=0.55, quality=(40, 60), noise=9),
}


def photograph(rng, card, difficulty, photo_size):
    p = LEVELS[difficulty]
    pw, ph = photo_size
    photo = background(rng, photo_size)
    cw = int(pw * rng.uniform(*p["share"]))
    ch = int(cw * card.height / card.width)
    card = card.resize((cw, ch), Image.LANCZOS)
    # Card corners placed with a tilt and a perspective jitter.
    angle = math.radians(rng.uniform(-p["tilt"], p["tilt"]))
    cx, cy = pw / 2 + rng.uniform(-0.1, 0.1) * pw, ph / 2 + rng.uniform(-0.1, 0.1) * ph
    corners = []
    for sx, sy in [(-1, -1), (1, -1), (1, 1), (-1, 1)]:
        x, y = sx * cw / 2, sy * ch / 2
        x += rng.uniform(-p["jitter"], p["jitter"]) * cw
        y += rng.uniform(-p["jitter"], p["jitter"]) * ch
        corners.append((cx + x * math.cos(angle) - y * math.sin(angle), cy + x * math.sin(angle) + y * math.cos(angle)))
    coeffs = find_coeffs(corners, [(0, 0), (cw, 0), (cw, ch), (0, ch)])
    warped = card.transform(photo_size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    mask = Image.new("L", (cw, ch), 255).transform(photo_size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    photo.paste(warped, (0, 0), mask)
    arr = np.asarray(photo).astype(np.float32)
    # Shadow: a soft-edged darker half-plane across the picture.
    if p["shadow"] > 0 and rng.random() < 0.8:
        yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
        a = rng.uniform(0, 2 * math.pi)
        d = (xx - pw * rng.uniform(0.3, 0.7)) * math.cos(a) + (yy - ph * rng.uniform(0.3, 0.7)) * math.sin(a)
        shade = 1 - p["shadow"] * rng.uniform(0.6, 1.0) / (1 + np.exp(-d / (0.05 * pw)))
        arr *= shade[..., None]
    # Uneven light, sensor noise.
    arr *= rng.uniform(0.85, 1.1)
    arr += np.random.default_rng(rng.randint(0, 2**31)).normal(0, p["noise"], arr.shape)
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    blur = rng.uniform(*p["blur"])
    if blur > 0.05:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=rng.randint(*p["quality"]))
    return buf.getvalue(), [tuple(round(v / s, 4) for v, s in zip(c, photo_size)) for c in corners]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=60, help="photos, split into easy / medium / hard thirds")
    ap.add_argument("--out", default="target/cards")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--size", default="1600x1200", help="photo size, WxH")
    ap.add_argument("--fixtures", action="store_true", help="write the small test fixtures instead")
    args = ap.parse_args()
    if args.fixtures:
        return fixtures()
    size = tuple(int(v) for v in args.size.split("x"))
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    photos = []
    for i in range(args.count):
        difficulty = ["easy", "medium", "hard"][i * 3 // args.count]
        card, truth = make_card(rng, difficulty)
        jpeg, corners = photograph(rng, card, difficulty, size)
        name = f"{difficulty}-{i:03d}.jpg"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(jpeg)
        photos.append({"file": name, "difficulty": difficulty, "contacts": truth, "card_corners": corners})
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump({"seed": args.seed, "photos": photos}, f, ensure_ascii=False, indent=1)
    print(f"{len(photos)} photos and truth.json in {args.out}")


def fixtures():
    """A handful of small photos for tests/fixtures/cards/, with their truth."""
    out = "tests/fixtures/cards"
    os.makedirs(out, exist_ok=True)
    rng = random.Random(1717)
    wanted = [("easy", True), ("medium", True), ("easy", False), ("medium", False)]
    photos = []
    while wanted:
        difficulty, want_qr = wanted[0]
        card, truth = make_card(rng, difficulty)
        if any(c["in_qr"] for c in truth) != want_qr:
            continue
        wanted.pop(0)
        jpeg, _ = photograph(rng, card, difficulty, (1000, 750))
        name = f"{len(photos) + 1}-{difficulty}-{'qr' if want_qr else 'text'}.jpg"
        with open(os.path.join(out, name), "wb") as f:
            f.write(jpeg)
        photos.append({"file": name, "difficulty": difficulty, "contacts": truth})
    # The first card again, stored on its side with an EXIF orientation tag
    # (6: turn 90° clockwise to show), as phones save photos.
    first = Image.open(os.path.join(out, photos[0]["file"]))
    exif = Image.Exif()
    exif[0x0112] = 6
    first.transpose(Image.ROTATE_90).save(os.path.join(out, "5-exif-rotated.jpg"), "JPEG", quality=85, exif=exif)
    photos.append(dict(photos[0], file="5-exif-rotated.jpg"))
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump({"photos": photos}, f, ensure_ascii=False, indent=1)
    print(f"{len(photos)} fixtures in {out}")


if __name__ == "__main__":
    main()
