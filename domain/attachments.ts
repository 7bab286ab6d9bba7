/**
 * 附件 (attachments): which kinds of file an application or a comment may
 * carry, and the name a file is shown and downloaded under. The type is the
 * one sniffed from the content (api/attachments.ts asks `file-type`), never
 * the client's Content-Type or the file's extension: an HTML page renamed
 * `.pdf` is not a PDF. Nothing a browser would run or render as a page (HTML,
 * SVG, scripts) is ever allowed, and every download is served as an
 * attachment besides.
 *
 * Pure: no I/O.
 */

/** The allowed types, by sniffed MIME type: their Chinese name and the extensions a download may keep. */
export const ATTACHMENT_TYPES = {
  'application/pdf': { label: 'PDF 文档', extensions: ['pdf'] },
  'image/png': { label: 'PNG 图片', extensions: ['png'] },
  'image/jpeg': { label: 'JPEG 图片', extensions: ['jpg', 'jpeg'] },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { label: 'Excel 表格（xlsx）', extensions: ['xlsx'] },
} as const satisfies Record<string, { label: string; extensions: readonly string[] }>;

export type AttachmentType = keyof typeof ATTACHMENT_TYPES;

export function isAllowedAttachmentType(mime: string | undefined): mime is AttachmentType {
  return !!mime && Object.prototype.hasOwnProperty.call(ATTACHMENT_TYPES, mime);
}

/** The refusal of a type that is not allowed, in Chinese first. */
export const REFUSED_TYPE_MESSAGE = '只能上传 PDF、PNG、JPEG 图片或 Excel（xlsx）文件 / only PDF, PNG, JPEG or Excel (xlsx) files may be attached';

/** Longest name kept, in characters (the extension included). */
export const MAX_NAME_LENGTH = 120;

// Control characters, the Unicode bidirectional overrides and isolates (which make `exe.pdf` read as `fdp.exe`), and
// the characters file systems refuse.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069<>:"/\\|?*]/g;

/**
 * The name a file is shown and downloaded under: the client's name without
 * any folder, with no control, direction-changing or path characters, no
 * leading dots, at most {@link MAX_NAME_LENGTH} characters, and ending with
 * an extension of its real type (`照片` sniffed as JPEG becomes `照片.jpg`;
 * `报告.exe` sniffed as PDF becomes `报告.exe.pdf`).
 */
export function attachmentName(clientName: string, type: AttachmentType): string {
  const base = clientName.split(/[/\\]/).pop() ?? '';
  let name = base.normalize('NFC').replace(UNSAFE, '_').replace(/\s+/g, ' ').trim().replace(/^\.+/, '').trim();
  const extensions: readonly string[] = ATTACHMENT_TYPES[type].extensions;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!extensions.includes(ext)) name = `${name || '附件'}.${extensions[0]!}`;
  if ([...name].length > MAX_NAME_LENGTH) {
    const keep = name.slice(name.lastIndexOf('.'));
    name = [...name.slice(0, name.lastIndexOf('.'))].slice(0, MAX_NAME_LENGTH - keep.length).join('') + keep;
  }
  return name;
}

/** The timeline's note of an upload: 上传附件：报告.pdf */
export function attachmentNote(name: string): string {
  return `上传附件：${name} / attached ${name}`;
}
