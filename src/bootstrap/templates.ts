// The files under templates/ are shipped as they are: scripts and units hold no spec values (those go to
// cloudlaunch.env), so each can be linted on its own. Found by walking up from this module because the code runs
// both from src/bootstrap (tests) and from the esbuild bundle in dist/.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const TEMPLATE_FILES = [
  "bootstrap.sh",
  "lib.sh",
  "arm-lifetime.sh",
  "setup-dask.sh",
  "start-dask.sh",
  "scheduler-address.sh",
  "cloudlaunch-dask.service",
  "cloudlaunch-lifetime.service",
  "idle-run.sh",
  "idle-poweroff.sh",
  "gcp-delete-self.sh",
  "cloudlaunch-idle.conf",
] as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[number];

let cachedDir: string | undefined;

function templatesDir(): string {
  if (cachedDir) return cachedDir;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, "templates");
    if (existsSync(join(candidate, "start-dask.sh"))) return (cachedDir = candidate);
    if (dirname(dir) === dir) throw new Error(`cloudlaunch templates/ not found above ${__dirname}`);
  }
}

const cache = new Map<TemplateFile, string>();

export function readTemplate(name: TemplateFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(templatesDir(), name), "utf8");
    text = withoutCommentLines(text);
    cache.set(name, text);
  }
  return text;
}

/**
 * Scripts and units ship without their full-line comments (kept here, for whoever reads the repository): user data is capped
 * at 16 KB on EC2, every shipped line is indented in the YAML, and the room is the spec's. The shebang and
 * shellcheck directives stay. No template may rely on a line starting with # inside a heredoc.
 */
function withoutCommentLines(text: string): string {
  return text
    .split("\n")
    .filter((line, i) => i === 0 || !/^\s*#/.test(line) || /^\s*# shellcheck /.test(line))
    .join("\n");
}
