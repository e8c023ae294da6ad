/** Label selectors as kube-apiserver parses them: =, ==, !=, in, notin, exists, !exists. */
type Requirement = (labels: Record<string, string>) => boolean;

export class SelectorError extends Error {}

export function parseSelector(selector: string | null): Requirement {
  if (!selector) return () => true;
  // Split on commas that are not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const requirements = parts.map((raw): Requirement => {
    const part = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^\s=!,()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const [, key, op, list] = m;
      const values = list.split(',').map((v) => v.trim());
      return op === 'in'
        ? (labels) => key in labels && values.includes(labels[key])
        : (labels) => !(key in labels) || !values.includes(labels[key]);
    }
    if ((m = /^([^\s=!,()]+)\s*(==|=|!=)\s*([^\s=!,()]*)$/.exec(part))) {
      const [, key, op, value] = m;
      return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    if ((m = /^!([^\s=!,()]+)$/.exec(part))) {
      const key = m[1];
      return (labels) => !(key in labels);
    }
    if ((m = /^([^\s=!,()]+)$/.exec(part))) {
      const key = m[1];
      return (labels) => key in labels;
    }
    throw new SelectorError(`unable to parse requirement: ${part}`);
  });
  return (labels) => requirements.every((requirement) => requirement(labels));
}
