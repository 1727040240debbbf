import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ValidationError } from 'jsonschema';

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

/** resume.json cannot be rendered; the message names each field at fault. */
export class ResumeError extends Error {
  override readonly name = 'ResumeError';
}

/** Reads and validates a JSON Resume file. */
export async function loadResume(path: string): Promise<Resume> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ResumeError(`${path}: ${(error as Error).message}`);
  }
  return checkResume(data, path);
}

/** Validates against the JSON Resume schema, then what this page needs on top of it. */
export function checkResume(data: unknown, source = 'resume.json'): Resume {
  const problems: string[] = [];
  validate(data, (errors) => {
    for (const error of errors ?? []) {
      problems.push(`${fieldName(error.property)} ${error.message}`);
    }
  });
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const resume = data as Partial<Resume>;
    if (typeof resume.basics?.name !== 'string' || resume.basics.name.trim() === '') {
      problems.push('basics.name is required: it is the page heading');
    }
    walk(data, '', (path, value) => {
      // Links become href attributes: escaping stops markup, not `javascript:` URLs.
      if (/(^|\.)(url|image)$/.test(path) && typeof value === 'string' && value !== '') {
        if (!/^https?:\/\//i.test(value))
          problems.push(`${path} must be an http:// or https:// URL`);
      }
    });
  }
  if (problems.length > 0) {
    throw new ResumeError(`${source} is not a valid resume:\n  ${problems.join('\n  ')}`);
  }
  return data as Resume;
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
