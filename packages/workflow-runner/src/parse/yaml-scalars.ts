// @actions/workflow-parser (0.3.x) reads `${{ }}` in a multi-line scalar from the scalar's raw YAML source (kept for
// the VS Code language server's positions) instead of its value. For a folded `if: >-` that spans two lines the raw
// source keeps the indentation and line breaks, so the parser builds `format('      {0}\n', …)`, a non-empty string
// that is always true, where GitHub evaluates the folded value `${{ … }}` as a boolean. A literal block (`|`) in
// `with:` likewise gained the YAML indentation on every line. GitHub's own (C#) parser works on the value, so we
// drop the raw source: expressions are then found in the value, exactly as on GitHub (positions inside a multi-line
// scalar point at its first line, which is all our messages need).
import { StringToken } from '@actions/workflow-parser/templates/tokens/string-token';
import { YamlObjectReader } from '@actions/workflow-parser/workflows/yaml-object-reader';

// getLiteralToken is private in the typings; it is the one place scalars become tokens.
type GetLiteralToken = (fileId: number, range: unknown, node: unknown) => unknown;
const reader = YamlObjectReader as unknown as { getLiteralToken: GetLiteralToken };
const original = reader.getLiteralToken;
let patched = false;

/** Make the parser find expressions in scalar values, not in their raw YAML source. Idempotent. */
export function readScalarsByValue(): void {
  if (patched) return;
  patched = true;
  reader.getLiteralToken = (fileId, range, node) => {
    const token = original.call(YamlObjectReader, fileId, range, node);
    if (token instanceof StringToken && token.source !== undefined) {
      return new StringToken(token.file, token.range, token.value, token.definitionInfo);
    }
    return token;
  };
}
