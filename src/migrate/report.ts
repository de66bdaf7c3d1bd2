// What `rampart migrate` changed, one line per change with its pointer, and what it could not
// decide for a person. Never holds a secret (API keys are counted, not printed).
export interface Change {
  readonly pointer: string;
  readonly what: string;
  /** Set when a person must decide something the rewrite could not. */
  readonly decide?: string;
}

export class MigrationReport {
  readonly changes: Change[] = [];

  change(pointer: string, what: string): void {
    this.changes.push({ pointer, what });
  }

  decide(pointer: string, what: string, decide: string): void {
    this.changes.push({ pointer, what, decide });
  }

  get decisions(): number {
    return this.changes.filter((c) => c.decide !== undefined).length;
  }

  /** Markdown: the changes, then the decisions left to a person. */
  markdown(source: string, target: string): string {
    const lines = [`# rampart migrate: ${source} → ${target}`, ''];
    if (this.changes.length === 0) return lines.concat(['Nothing to change: Rampart accepts this config as it is.', '']).join('\n');
    lines.push(`${this.changes.length} change(s); ${this.decisions} need a person's decision.`, '', '## Changes', '');
    for (const c of this.changes) lines.push(`- \`${c.pointer || '/'}\`: ${c.what}`);
    const open = this.changes.filter((c) => c.decide !== undefined);
    if (open.length) {
      lines.push('', '## For a person to decide', '');
      for (const c of open) lines.push(`- [ ] \`${c.pointer || '/'}\`: ${c.decide}`);
    }
    return lines.concat(['']).join('\n');
  }
}
