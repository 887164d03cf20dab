/**
 * Splits a document into passages for retrieval: by headings first (each passage knows the section it belongs to),
 * then by paragraphs packed up to `maxChars`, a paragraph longer than that by sentences, a sentence longer than that
 * by words. Consecutive passages of one section overlap by about `overlapChars` (whole sentences), so a fact that
 * straddles a boundary is whole in at least one of them.
 */

export interface TChunkOptions {
  maxChars: number;
  overlapChars: number;
  /** Passages shorter than this are merged into their neighbour within a section. */
  minChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: TChunkOptions = { maxChars: 1200, overlapChars: 200, minChars: 120 };

export interface TTextChunk {
  /** "Document title › Section › Subsection" (the document title alone before the first heading). */
  title: string;
  text: string;
}

interface TSection {
  path: string[];
  paragraphs: string[];
}

const HEADING = /^(#{1,6})\s+(.*)$/;

function sections(text: string): TSection[] {
  const out: TSection[] = [{ path: [], paragraphs: [] }];
  const stack: { level: number; title: string }[] = [];
  let para: string[] = [];
  const flush = () => {
    const p = para.join('\n').trim();
    if (p) out[out.length - 1]!.paragraphs.push(p);
    para = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const h = HEADING.exec(line.trim());
    if (h) {
      flush();
      const level = h[1]!.length;
      while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
      const title = h[2]!.replace(/#+\s*$/, '').trim();
      if (title) stack.push({ level, title });
      out.push({ path: stack.map((s) => s.title), paragraphs: [] });
    } else if (line.trim() === '') flush();
    else para.push(line.trim());
  }
  flush();
  return out.filter((s) => s.paragraphs.length > 0);
}

/** Sentences (kept with their punctuation); text without sentence ends is one piece. */
function sentences(p: string): string[] {
  return (
    p
      .match(/[^.!?。！？\n]+(?:[.!?。！？]+["')\]]*|\n|$)\s*/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? [p]
  );
}

/** Pieces no longer than `max`: the paragraph, else its sentences, else words. */
function pieces(p: string, max: number): string[] {
  if (p.length <= max) return [p];
  const out: string[] = [];
  for (const s of sentences(p)) {
    if (s.length <= max) {
      out.push(s);
      continue;
    }
    let cur = '';
    for (const w of s.split(/\s+/)) {
      if (w.length > max) {
        if (cur) out.push(cur);
        cur = '';
        for (let i = 0; i < w.length; i += max) out.push(w.slice(i, i + max));
        continue;
      }
      if (cur && cur.length + 1 + w.length > max) {
        out.push(cur);
        cur = w;
      } else cur = cur ? `${cur} ${w}` : w;
    }
    if (cur) out.push(cur);
  }
  return out;
}

/** The end of `text`, whole sentences, about `chars` long (nothing when the overlap would be most of a chunk). */
function tail(text: string, chars: number): string {
  if (chars <= 0) return '';
  const ss = sentences(text);
  let out = '';
  for (let i = ss.length - 1; i >= 0; i--) {
    const next = out ? `${ss[i]} ${out}` : ss[i]!;
    if (next.length > chars) break;
    out = next;
  }
  return out;
}

export function chunkText(doc: { title: string; text: string }, options: Partial<TChunkOptions> = {}): TTextChunk[] {
  const opts = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  const docTitle = doc.title.replace(/\s+/g, ' ').trim().slice(0, 200) || 'Untitled';
  const out: TTextChunk[] = [];
  for (const section of sections(doc.text)) {
    const path = section.path.filter((t, i) => !(i === 0 && t.toLowerCase() === docTitle.toLowerCase()));
    const title = [docTitle, ...path].join(' › ').slice(0, 300);
    const parts = section.paragraphs.flatMap((p) => pieces(p, opts.maxChars));
    const texts: string[] = [];
    let cur = '';
    /** What `cur` repeats of the previous passage (the overlap), so a merge back does not repeat it twice. */
    let carried = '';
    for (const part of parts) {
      if (cur && cur.length + 2 + part.length > opts.maxChars) {
        texts.push(cur);
        carried = tail(cur, Math.min(opts.overlapChars, opts.maxChars - part.length - 2));
        cur = carried ? `${carried}\n\n${part}` : part;
      } else cur = cur ? `${cur}\n\n${part}` : part;
    }
    if (cur) {
      // A short remainder joins the previous passage of its section when it fits.
      const prev = texts[texts.length - 1];
      const own = carried ? cur.slice(carried.length + 2) : cur;
      if (prev !== undefined && own.length < opts.minChars && prev.length + 2 + own.length <= opts.maxChars)
        texts[texts.length - 1] = `${prev}\n\n${own}`;
      else texts.push(cur);
    }
    for (const text of texts) out.push({ title, text });
  }
  return out;
}
