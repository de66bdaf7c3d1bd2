// The rendered text, bounded in size, with a line map: for each output line, the template
// file and line that produced it (the first non-blank text on the line wins), so a problem
// found in the rendered JSON can name the template line it came from.
import { TemplateError } from './values.js';

export interface SourceLine {
  file: string;
  line: number;
}

export class Output {
  private parts: string[] = [];
  private size = 0;
  /** lines[i] = where output line i+1 came from. */
  readonly lines: SourceLine[] = [];
  private cur = 0;
  private solid = false;
  constructor(readonly maxBytes: number) {}

  /** `advance`: the text is template text, so its own newlines move the source line too. */
  write(s: string, file: string, line: number, advance: boolean): void {
    if (s.length === 0) return;
    this.size += s.length;
    if (this.size > this.maxBytes) throw new TemplateError(`rendered output larger than ${this.maxBytes} bytes`);
    this.parts.push(s);
    let from = 0;
    for (;;) {
      const nl = s.indexOf('\n', from);
      this.note(nl === -1 ? s.slice(from) : s.slice(from, nl), file, line);
      if (nl === -1) break;
      this.cur++;
      this.solid = false;
      if (advance) line++;
      from = nl + 1;
    }
  }

  private note(seg: string, file: string, line: number): void {
    if (this.lines[this.cur] === undefined) {
      this.lines[this.cur] = { file, line };
      this.solid = /\S/.test(seg);
    } else if (!this.solid && /\S/.test(seg)) {
      this.lines[this.cur] = { file, line };
      this.solid = true;
    }
  }

  text(): string {
    return this.parts.join('');
  }
}
