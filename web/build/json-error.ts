/** Where a JSON text first goes wrong: 1-based line and column, and what is wrong there. */
export interface JsonSyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly problem: string;
}

/**
 * Finds the first syntax error in `text`, for a person editing it: `JSON.parse` names only a
 * character offset (and sometimes not even that). Returns undefined when `text` is valid JSON.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const found = scan(text);
    if (found) return { ...lineAndColumn(text, found.at), problem: found.problem };
    // The scanner accepts what JSON.parse refused: fall back on JSON.parse's own words.
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    return {
      ...lineAndColumn(text, position === undefined ? 0 : Number(position)),
      problem: message.replace(/ in JSON at position \d+.*$/, ''),
    };
  }
}

function lineAndColumn(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - (before.lastIndexOf('\n') + 1) + 1 };
}

class Stop {
  constructor(
    readonly at: number,
    readonly problem: string,
  ) {}
}

const VALUE = 'write text in double quotes, a number, true, false, null, {…} or […]';

/** A recursive-descent reader of RFC 8259 JSON that stops at the first mistake. */
function scan(text: string): Stop | undefined {
  let i = 0;
  // What stands at `at`: a whole word (`tru`, `undefined`) or one character.
  const shown = (at: number) => {
    if (at >= text.length) return 'the end of the file';
    const found = /^[A-Za-z_$][\w$]*/.exec(text.slice(at))?.[0] ?? text.charAt(at);
    return found === "'" ? `"'"` : `'${found}'`;
  };
  const startsValue = (c: string) => c !== '' && '"{[-0123456789tfn'.includes(c);
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const fail = (problem: string): never => {
    throw new Stop(i, problem);
  };
  const string = () => {
    const start = i;
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) throw new Stop(start, 'this text has no closing double quote');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20)
        fail('a line break or control character inside quoted text (write \\n for a new line)');
      if (c === 0x5c) {
        const next = text.charAt(i + 1);
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            fail('\\u must be followed by four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== '') {
          i += 2;
        } else {
          fail(`\\${next} is not an escape JSON knows (a backslash itself is written \\\\)`);
        }
      } else {
        i++;
      }
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '-') fail(`${shown(i)} is not a value: ${VALUE}`);
    i += (match as RegExpExecArray)[0].length;
    if (/^[0-9.eE]/.test(text.charAt(i)))
      fail('this number is not written as JSON allows (no leading zeros, digits after a dot)');
  };
  const value = () => {
    space();
    const c = text.charAt(i);
    if (c === '{') object();
    else if (c === '[') array();
    else if (c === '"') string();
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else literal(c);
  };
  const literal = (c: string) => {
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    if (c === "'") fail('text must be in double quotes, not single quotes');
    if (text.trim() === '') fail('the file is empty');
    fail(`${shown(i)} is not a value: ${VALUE}`);
  };
  const object = () => {
    i++;
    space();
    if (text.charAt(i) === '}') {
      i++;
      return;
    }
    for (;;) {
      space();
      const c = text.charAt(i);
      if (c === '}') fail('a comma before } is not allowed in JSON: remove it');
      if (c !== '"')
        fail(
          c === "'"
            ? 'property names must be in double quotes, not single quotes'
            : `expected a property name in double quotes, found ${shown(i)}`,
        );
      string();
      space();
      if (text.charAt(i) !== ':') fail(`expected : after the property name, found ${shown(i)}`);
      i++;
      value();
      space();
      const next = text.charAt(i);
      if (next === '}') {
        i++;
        return;
      }
      if (next !== ',') {
        fail(
          next === '"'
            ? 'a comma is missing before this property'
            : `expected , or } after the property's value, found ${shown(i)}`,
        );
      }
      i++;
    }
  };
  const array = () => {
    i++;
    space();
    if (text.charAt(i) === ']') {
      i++;
      return;
    }
    for (;;) {
      space();
      if (text.charAt(i) === ']') fail('a comma before ] is not allowed in JSON: remove it');
      value();
      space();
      const next = text.charAt(i);
      if (next === ']') {
        i++;
        return;
      }
      if (next !== ',') {
        fail(
          startsValue(next)
            ? 'a comma is missing before this item'
            : `expected , or ] after the item, found ${shown(i)}`,
        );
      }
      i++;
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail(`${shown(i)} after the end of the JSON: remove it`);
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error;
    throw error;
  }
}
