// Camera scanning: the browser's BarcodeDetector where it has one, else ZXing (WebAssembly,
// served from /vendor/zxing/, never a CDN). Calls onCode with each QR code's text.

let stream = null;
let timer = null;

function zxingReader() {
  const zxing = globalThis.ZXingWASM;
  if (!zxing) return null;
  zxing.prepareZXingModule({
    overrides: { locateFile: (path) => `/vendor/zxing/${path}` },
  });
  return async (canvas) => {
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const results = await zxing.readBarcodes(image, { formats: ["QRCode"], maxNumberOfSymbols: 1 });
    return results.find((r) => r.isValid)?.text ?? null;
  };
}

function nativeReader() {
  if (!("BarcodeDetector" in globalThis)) return null;
  const detector = new globalThis.BarcodeDetector({ formats: ["qr_code"] });
  return async (canvas) => (await detector.detect(canvas))[0]?.rawValue ?? null;
}

export async function startCamera(video, onCode) {
  const read = nativeReader() ?? zxingReader();
  if (!read) throw new Error("This browser cannot decode QR codes; paste the token instead");
  stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment" },
    audio: false,
  });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const canvas = document.createElement("canvas");
  let busy = false;
  timer = setInterval(async () => {
    if (busy || video.videoWidth === 0) return;
    busy = true;
    try {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0);
      const text = await read(canvas);
      if (text) onCode(text);
    } finally {
      busy = false;
    }
  }, 250);
}

export function stopCamera(video) {
  clearInterval(timer);
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  video.hidden = true;
}
