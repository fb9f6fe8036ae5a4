// Photos and videos in staff transcripts (inbox, ops). GET /attachments/{id} needs the API
// token, so an <img> cannot load the file by itself: it is fetched once, then shown from an
// object URL, released when the page moves to another conversation.
import { request } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

// What the agent may pick (store/media.py checks the content, whatever the name says).
export const ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,video/mp4,video/quicktime,video/webm";

const objectUrls = new Map(); // attachment id -> Promise of an object URL

function objectUrl(attachment) {
  if (!objectUrls.has(attachment.id)) {
    const loaded = request("GET", attachment.url, { raw: true })
      .then((response) => response.blob())
      .then((blob) => URL.createObjectURL(blob));
    loaded.catch(() => objectUrls.delete(attachment.id)); // tried again when shown again
    objectUrls.set(attachment.id, loaded);
  }
  return objectUrls.get(attachment.id);
}

/** Frees the files of the conversation shown before (call before showing another one). */
export function releaseAttachments() {
  objectUrls.forEach((loaded) => loaded.then(URL.revokeObjectURL, () => {}));
  objectUrls.clear();
}

/** "850 KB", "4.2 MB" */
export function fileSize(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "[Photo]" / "[Video]" for a list preview of a message without text. */
export const attachmentTag = (kind) => (kind ? t(`attachment.${kind}Tag`) : "");

/** A thumbnail that opens full size in a new tab, or a playable video; name and size below. */
export function attachmentNode(attachment) {
  const label = attachment.name || t(`attachment.${attachment.kind}`);
  const video = attachment.kind === "video";
  const media = video ? h("video", { controls: true, preload: "metadata", "aria-label": label })
    : h("img", { alt: label });
  const holder = video ? media : h("a", { className: "thumb", target: "_blank", rel: "noopener", title: label }, media);
  const figure = h("figure", { className: `attachment ${attachment.kind}` }, holder,
    h("figcaption", { text: `${label} · ${fileSize(attachment.size)}` }));
  const failed = () => holder.replaceWith(h("p", { className: "attachment-failed", text: t("attachment.failed") }));
  media.addEventListener("error", failed);
  objectUrl(attachment).then((url) => {
    media.src = url;
    if (!video) holder.href = url;
  }, failed);
  return figure;
}
