// A job version's diff (Nomad's JobDiff) as the indented lines of `nomad job plan`:
// `+` added, `-` deleted, `+/-` edited; unchanged parts are left out.

interface FieldDiff { Type: string; Name: string; Old: string; New: string }
interface ObjectDiff { Type: string; Name: string; Fields?: FieldDiff[] | null; Objects?: ObjectDiff[] | null }
interface TaskDiff extends ObjectDiff { Annotations?: string[] | null }
interface GroupDiff extends ObjectDiff { Tasks?: TaskDiff[] | null }
export interface JobDiff { Type: string; Fields?: FieldDiff[] | null; Objects?: ObjectDiff[] | null; TaskGroups?: GroupDiff[] | null }

const MARK: Record<string, string> = { Added: "+", Deleted: "-", Edited: "+/-" };

function field(f: FieldDiff, pad: string): string {
  const mark = MARK[f.Type] ?? " ";
  if (f.Type === "Added") return `${pad}${mark} ${f.Name}: "${f.New}"`;
  if (f.Type === "Deleted") return `${pad}${mark} ${f.Name}: "${f.Old}"`;
  return `${pad}${mark} ${f.Name}: "${f.Old}" => "${f.New}"`;
}

function object(o: ObjectDiff, label: string, pad: string): string[] {
  if (o.Type === "None") return [];
  return [`${pad}${MARK[o.Type] ?? " "} ${label} {`, ...body(o, `${pad}  `), `${pad}  }`];
}

function body(o: ObjectDiff, pad: string): string[] {
  return [
    ...(o.Fields ?? []).filter((f) => f.Type !== "None").map((f) => field(f, pad)),
    ...(o.Objects ?? []).flatMap((c) => object(c, c.Name, pad)),
  ];
}

export function diffLines(diff: JobDiff): string[] {
  return [
    ...body({ Type: diff.Type, Name: "", Fields: diff.Fields ?? null, Objects: diff.Objects ?? null }, ""),
    ...(diff.TaskGroups ?? []).flatMap((g) => g.Type === "None" ? [] : [
      `${MARK[g.Type] ?? " "} Task Group: "${g.Name}"`, ...body(g, "  "),
      ...(g.Tasks ?? []).flatMap((t) => t.Type === "None" ? [] : [`  ${MARK[t.Type] ?? " "} Task: "${t.Name}"`, ...body(t, "    ")]),
    ]),
  ];
}
