import { readFileSync } from "node:fs";
import { ClusterSpecSchema } from "../../src/spec/schema";

it("schema/cluster.schema.json is generated from the current schema (npm run schema)", () => {
  const committed = JSON.parse(readFileSync("schema/cluster.schema.json", "utf8"));
  expect(committed).toEqual(JSON.parse(JSON.stringify(ClusterSpecSchema)));
  expect(readFileSync("cluster.example.yaml", "utf8")).toMatch(
    /^# yaml-language-server: \$schema=\.\/schema\/cluster\.schema\.json/,
  );
});
