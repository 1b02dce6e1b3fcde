/**
 * Internal: the questions of `secretzero agent sync --interactive`, with Node built-ins only.
 *
 * On a terminal, stdin is in raw mode for the whole conversation, so the terminal echoes nothing
 * by itself: a visible answer is echoed here, a hidden one (a secret value) never is — not as
 * text, not as `*`, not its length. Raw mode also means Ctrl-C and Ctrl-D arrive as keys (the
 * terminal sends no signal): Ctrl-C ends the conversation with {@link PromptAbort}
 * (`interrupt`), Ctrl-D on an empty line with `eof`, and the terminal is restored in every
 * case. Editing keys work (Backspace, Ctrl-U, Ctrl-W); other escape sequences (arrows,
 * bracketed-paste markers) are ignored, so a pasted value arrives as typed.
 *
 * When stdin is not a terminal, answers are read line by line (`printf 'y\nvalue\n' |
 * secretzero agent sync --interactive` works); the end of input is `eof`.
 *
 * A SIGINT from outside (`kill -INT`) during a question is an `interrupt` too.
 *
 * @internal
 * @module
 */

/** Why the conversation ended early. */
export class PromptAbort extends Error {
  constructor(readonly reason: 'interrupt' | 'eof') {
    super(reason === 'interrupt' ? 'interrupted' : 'end of input');
  }
}

interface Pending {
  resolve: (line: string) => void;
  reject: (e: PromptAbort) => void;
  hidden: boolean;
  line: string;
}

/** Questions on `output`, answers from `input` (process.stdin by default). */
export class Prompter {
  private readonly input: NodeJS.ReadStream;
  private readonly output: NodeJS.WriteStream;
  private readonly tty: boolean;
  private buffer = '';
  private ended = false;
  private pending: Pending | undefined;
  private started = false;
  private escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
  private abort: PromptAbort | undefined;
  private readonly onData = (chunk: string): void => {
    this.buffer += chunk;
    this.pump();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.pump();
  };
  private readonly onSigint = (): void => {
    this.fail(new PromptAbort('interrupt'));
  };

  constructor(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr) {
    this.input = input;
    this.output = output;
    this.tty = input.isTTY === true && typeof input.setRawMode === 'function';
  }

  /** Ask a question whose answer is shown as it is typed. Returns the answer without the newline. */
  ask(question: string): Promise<string> {
    return this.read(question, false);
  }

  /** Ask for a secret: nothing of what is typed is shown. */
  askHidden(question: string): Promise<string> {
    return this.read(question, true);
  }

  /** Why the conversation ended early, if it did (also for a SIGINT between questions). */
  get aborted(): PromptAbort | undefined {
    return this.abort;
  }

  /**
   * After the last question: let keys already typed arrive, and treat a Ctrl-C among them
   * (pressed while the last answer was being checked) as an interrupt. Then restore the
   * terminal.
   */
  async finish(): Promise<void> {
    if (this.started) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.tty && this.buffer.includes('\u0003')) this.fail(new PromptAbort('interrupt'));
    }
    this.close();
  }

  /** Restore the terminal and stop reading (idempotent). */
  close(): void {
    if (!this.started) return;
    this.started = false;
    this.setRaw(false);
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    process.off('SIGINT', this.onSigint);
    this.input.pause();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.input.setEncoding('utf8');
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    process.on('SIGINT', this.onSigint);
    // Raw for the whole conversation, not per question: keys typed ahead (a value pasted
    // before its question appears) must not be echoed by the terminal in between.
    this.setRaw(true);
    this.input.resume();
  }

  private setRaw(on: boolean): void {
    if (this.tty && this.input.isRaw !== on) this.input.setRawMode(on);
  }

  private read(question: string, hidden: boolean): Promise<string> {
    if (this.abort !== undefined) return Promise.reject(this.abort);
    this.start();
    this.output.write(question);
    return new Promise<string>((resolve, reject) => {
      this.pending = { resolve, reject, hidden, line: '' };
      this.pump();
    });
  }

  private fail(e: PromptAbort): void {
    this.abort ??= e;
    const p = this.pending;
    this.pending = undefined;
    this.output.write('\n');
    this.close();
    p?.reject(e);
  }

  private done(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    if (this.tty) this.output.write('\n');
    p.resolve(p.line);
  }

  private pump(): void {
    const p = this.pending;
    if (p === undefined) return;
    if (!this.tty) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        p.line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        this.output.write('\n');
        this.done();
      } else if (this.ended) {
        this.fail(new PromptAbort('eof'));
      }
      return;
    }
    while (this.pending === p && this.buffer.length > 0) {
      const cp = this.buffer.codePointAt(0) ?? 0;
      const ch = String.fromCodePoint(cp);
      this.buffer = this.buffer.slice(ch.length);
      if (this.key(p, ch)) return;
    }
    if (this.pending === p && this.ended) this.fail(new PromptAbort('eof'));
  }

  /** Handle one key; true when the question is over. */
  private key(p: Pending, ch: string): boolean {
    // Escape sequences (arrows, function keys, bracketed-paste markers) are skipped.
    if (this.escape === 'esc') {
      this.escape = ch === '[' ? 'csi' : ch === 'O' ? 'ss3' : 'none';
      return false;
    }
    if (this.escape === 'ss3') {
      this.escape = 'none';
      return false;
    }
    if (this.escape === 'csi') {
      if (ch >= '@' && ch <= '~') this.escape = 'none';
      return false;
    }
    switch (ch) {
      case '\u001b':
        this.escape = 'esc';
        return false;
      case '\u0003': // Ctrl-C
        this.fail(new PromptAbort('interrupt'));
        return true;
      case '\u0004': // Ctrl-D: end of input on an empty line
        if (p.line === '') {
          this.fail(new PromptAbort('eof'));
          return true;
        }
        return false;
      case '\r':
      case '\n':
        // A pasted "\r\n" is one Enter.
        if (ch === '\r' && this.buffer.startsWith('\n')) this.buffer = this.buffer.slice(1);
        this.done();
        return true;
      case '\u007f':
      case '\b': {
        if (p.line === '') return false;
        const chars = Array.from(p.line);
        chars.pop();
        p.line = chars.join('');
        if (!p.hidden) this.output.write('\b \b');
        return false;
      }
      case '\u0015': // Ctrl-U: clear the line
        if (!p.hidden) this.output.write('\b \b'.repeat(Array.from(p.line).length));
        p.line = '';
        return false;
      case '\u0017': {
        // Ctrl-W: delete the last word
        const kept = p.line.replace(/\S+\s*$/, '');
        if (!p.hidden) this.output.write('\b \b'.repeat(Array.from(p.line).length - Array.from(kept).length));
        p.line = kept;
        return false;
      }
      default:
        if (ch < ' ') return false; // other control keys
        p.line += ch;
        if (!p.hidden) this.output.write(ch);
        return false;
    }
  }
}
