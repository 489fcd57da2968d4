// Photos made light before they travel on a phone's network: decoded by the browser (turned as the
// camera's EXIF orientation says), scaled so that the long side is at most MAX_SIDE pixels and saved as
// a JPEG; and several photos of one paper put together as one PDF, a page per photo.
//
// The PDF is written here, a few dozen lines: each page is one JPEG kept exactly as the canvas made it
// (the DCTDecode filter), so nothing is decoded again or compressed twice, and no library or build step
// comes to the portal for it.

export const MAX_SIDE = 2000;
export const QUALITY = 0.85;
// A JPEG this small and within MAX_SIDE is sent as it is: saving it again gains little and costs quality.
const SMALL_BYTES = 512 * 1024;
// The long side of a page, in points: an A4 sheet's (297 mm).
const PAGE_LONG_SIDE = 842;

/** The image decoded and turned upright (EXIF), or null where this browser cannot decode it (HEIC). */
export async function decode(blob) {
  if (typeof createImageBitmap !== "function") return null;
  try {
    return await createImageBitmap(blob, { imageOrientation: "from-image" });
  } catch {
    return null;
  }
}

function canvasOf(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function drawn(bitmap, maxSide) {
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = canvasOf(width, height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // a PNG's transparent parts become paper white, not black
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

/** The bitmap as a JPEG whose long side is at most `maxSide`: {blob, width, height}. */
export async function jpegOf(bitmap, maxSide = MAX_SIDE, quality = QUALITY) {
  const canvas = drawn(bitmap, maxSide);
  const blob = await new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("toBlob"))), "image/jpeg", quality);
  });
  return { blob, width: canvas.width, height: canvas.height };
}

/** A small picture of the bitmap as a data: URL (the portal's policy allows images from data: only). */
export function thumbnailOf(bitmap, side = 96) {
  return drawn(bitmap, side).toDataURL("image/jpeg", 0.7);
}

/**
 * The photo `file` (a JPEG, or a PNG) made lighter: {file, width, height}, a JPEG named after it; or
 * null when it is sent as it is (already small, not smaller once saved again, or not decodable here).
 */
export async function downscale(file) {
  const bitmap = await decode(file);
  if (!bitmap) return null;
  try {
    if (Math.max(bitmap.width, bitmap.height) <= MAX_SIDE && file.size <= SMALL_BYTES) return null;
    const { blob, width, height } = await jpegOf(bitmap);
    if (blob.size >= file.size) return null;
    const name = `${file.name.replace(/\.[^.]*$/, "") || "anh"}.jpg`;
    return { file: new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }), width, height };
  } finally {
    bitmap.close?.();
  }
}

/**
 * One PDF (PDF 1.4) of the JPEG pages [{blob, width, height}], in that order: each page the photo's
 * shape, its long side an A4 sheet's. Returns a Blob.
 */
export async function pdfOfPages(pages) {
  const encoder = new TextEncoder();
  const chunks = [];
  const offsets = [];
  let length = 0;
  const push = (chunk) => {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.length;
  };
  const object = (number, ...body) => {
    offsets[number] = length;
    push(`${number} 0 obj\n`);
    for (const part of body) push(part);
    push("\nendobj\n");
  };
  const points = (n) => Number(n.toFixed(2));

  push("%PDF-1.4\n");
  push(new Uint8Array([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a])); // binary bytes: the file is not text
  // 1 the catalog, 2 the page tree, then per page: the page, its drawing, its image.
  const kids = pages.map((_, i) => `${3 + 3 * i} 0 R`).join(" ");
  object(1, "<</Type /Catalog /Pages 2 0 R>>");
  object(2, `<</Type /Pages /Kids [${kids}] /Count ${pages.length}>>`);
  for (const [i, page] of pages.entries()) {
    const [pageNo, contentNo, imageNo] = [3 + 3 * i, 4 + 3 * i, 5 + 3 * i];
    const scale = PAGE_LONG_SIDE / Math.max(page.width, page.height);
    const [w, h] = [points(page.width * scale), points(page.height * scale)];
    const drawing = `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`;
    const jpeg = new Uint8Array(await page.blob.arrayBuffer());
    object(
      pageNo,
      `<</Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources <</XObject <</Im0 ${imageNo} 0 R>>>> /Contents ${contentNo} 0 R>>`,
    );
    object(contentNo, `<</Length ${drawing.length}>>\nstream\n${drawing}\nendstream`);
    object(
      imageNo,
      `<</Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length}>>\nstream\n`,
      jpeg,
      "\nendstream",
    );
  }
  const count = 3 + 3 * pages.length;
  const xref = length;
  push(`xref\n0 ${count}\n0000000000 65535 f \n`);
  for (let n = 1; n < count; n += 1) push(`${String(offsets[n]).padStart(10, "0")} 00000 n \n`);
  push(`trailer\n<</Size ${count} /Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`);
  return new Blob(chunks, { type: "application/pdf" });
}
