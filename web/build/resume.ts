import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ValidationError } from 'jsonschema';
import { findJsonSyntaxError } from './json-error.js';

// The JSON Resume v1.0.0 schema, as its maintainers publish it (CommonJS).
const { validate } = createRequire(import.meta.url)('@jsonresume/schema') as {
  validate: (
    resume: unknown,
    done: (errors: ValidationError[] | null, valid: boolean) => void,
  ) => void;
};

export interface Location {
  address?: string;
  postalCode?: string;
  city?: string;
  countryCode?: string;
  region?: string;
}
export interface Profile {
  network?: string;
  username?: string;
  url?: string;
}
interface Dated {
  startDate?: string;
  endDate?: string;
}
export interface Work extends Dated {
  name?: string;
  location?: string;
  description?: string;
  position?: string;
  url?: string;
  summary?: string;
  highlights?: string[];
}
export interface Volunteer extends Dated {
  organization?: string;
  position?: string;
  url?: string;
  summary?: string;
  highlights?: string[];
}
export interface Education extends Dated {
  institution?: string;
  url?: string;
  area?: string;
  studyType?: string;
  score?: string;
  courses?: string[];
}
export interface Project extends Dated {
  name?: string;
  description?: string;
  highlights?: string[];
  keywords?: string[];
  url?: string;
  roles?: string[];
  entity?: string;
  type?: string;
}
export interface Resume {
  basics: {
    name: string;
    label?: string;
    image?: string;
    email?: string;
    phone?: string;
    url?: string;
    summary?: string;
    location?: Location;
    profiles?: Profile[];
  };
  work?: Work[];
  volunteer?: Volunteer[];
  education?: Education[];
  awards?: { title?: string; date?: string; awarder?: string; summary?: string }[];
  certificates?: { name?: string; date?: string; url?: string; issuer?: string }[];
  publications?: {
    name?: string;
    publisher?: string;
    releaseDate?: string;
    url?: string;
    summary?: string;
  }[];
  skills?: { name?: string; level?: string; keywords?: string[] }[];
  languages?: { language?: string; fluency?: string }[];
  interests?: { name?: string; keywords?: string[] }[];
  references?: { name?: string; reference?: string }[];
  projects?: Project[];
}

/** resume.json cannot be rendered; the message, one line, names each field at fault. */
export class ResumeError extends Error {
  override readonly name = 'ResumeError';
}

/**
 * Reads and validates a JSON Resume file. Messages name the file as given, relative to the
 * working folder when it is inside it (`web/resume.json`).
 */
export async function loadResume(path: string): Promise<Resume> {
  const shown = displayPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ResumeError(
        `${shown} not found: the site is built from it (FOOTFALL_WEB_DIR names its folder, web/ by default)`,
      );
    }
    throw new ResumeError(`${shown} cannot be read: ${(error as Error).message}`);
  }
  // Some editors start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const syntax = findJsonSyntaxError(text);
  if (syntax) {
    throw new ResumeError(
      `${shown} line ${syntax.line}, column ${syntax.column}: ${syntax.problem}`,
    );
  }
  return checkResume(JSON.parse(text), shown);
}

/** `path` relative to the working folder when inside it (`web/resume.json`), else absolute. */
export function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), resolve(path));
  const inside = fromHere !== '' && !fromHere.startsWith('..') && !isAbsolute(fromHere);
  return (inside ? fromHere : resolve(path)).split(sep).join('/');
}

/** Validates against the JSON Resume schema, then what this page needs on top of it. */
export function checkResume(data: unknown, source = 'resume.json'): Resume {
  const problems: string[] = [];
  validate(data, (errors) => {
    for (const error of errors ?? []) problems.push(describe(error));
  });
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const resume = data as Partial<Resume>;
    if (typeof resume.basics?.name !== 'string' || resume.basics.name.trim() === '') {
      problems.push('basics.name is required: it is the page heading');
    }
    walk(data, '', (path, value) => {
      // Links become href attributes: escaping stops markup, not `javascript:` URLs.
      if (/(^|\.)(url|image)$/.test(path) && typeof value === 'string' && value !== '') {
        const named = problems.some((problem) => problem.startsWith(`${path} `));
        if (!named && !/^https?:\/\//i.test(value))
          problems.push(`${path} must be an http:// or https:// URL (it is ${quote(value)})`);
      }
    });
  }
  if (problems.length > 0) {
    throw new ResumeError(`${source} is not a valid resume: ${problems.join('; ')}`);
  }
  return data as Resume;
}

// The schema's one pattern: its dates, where every part after the year is optional.
const DATE_PATTERN =
  '^([1-2][0-9]{3}-[0-1][0-9]-[0-3][0-9]|[1-2][0-9]{3}-[0-1][0-9]|[1-2][0-9]{3})$';

const TYPES: Record<string, string> = {
  string: 'text in double quotes',
  array: 'a list: [ … ]',
  object: 'an object: { … }',
  number: 'a number',
  boolean: 'true or false',
};

/** One schema failure as a person would put it: the field, and what it must be. */
function describe(error: ValidationError): string {
  const field = fieldName(error.property);
  const was = error.instance === undefined ? '' : ` (it is ${quote(error.instance)})`;
  if (error.name === 'pattern' && String(error.argument) === DATE_PATTERN) {
    return `${field} must be a date written YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2021-03${was}`;
  }
  if (error.name === 'format' && error.argument === 'email') {
    return `${field} must be an email address like name@example.com${was}`;
  }
  if (error.name === 'format' && error.argument === 'uri') {
    return `${field} must be a full URL like https://example.com${was}`;
  }
  if (error.name === 'type') {
    const types = ([] as unknown[]).concat(error.argument).map((type) => TYPES[String(type)]);
    if (types.every(Boolean)) return `${field} must be ${types.join(' or ')}${was}`;
  }
  return `${field} ${error.message}`;
}

/** A value as it appears in the file, shortened to stay on one line. */
function quote(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}…` : json;
}

// jsonschema names fields `instance.basics.profiles[0].url`; people know them without the prefix.
function fieldName(property: string): string {
  return property.replace(/^instance\.?/, '') || '(the whole document)';
}

function walk(value: unknown, path: string, visit: (path: string, value: unknown) => void): void {
  visit(path, value);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`, visit);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value))
      walk(child, path ? `${path}.${key}` : key, visit);
  }
}
