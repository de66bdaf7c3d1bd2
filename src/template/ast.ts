// The parse tree of one template (text/template/parse's nodes, trimmed to what executes).
export interface Pos {
  line: number;
  col: number;
}

export type Arg =
  | ({ t: 'field'; idents: string[] } & Pos)
  | ({ t: 'var'; name: string; idents: string[] } & Pos)
  | ({ t: 'dot' } & Pos)
  | ({ t: 'nil' } & Pos)
  | ({ t: 'bool'; v: boolean } & Pos)
  | ({ t: 'num'; v: number | bigint; text: string } & Pos)
  | ({ t: 'str'; v: string } & Pos)
  | ({ t: 'ident'; name: string } & Pos)
  | ({ t: 'chain'; node: Arg; idents: string[] } & Pos)
  | ({ t: 'pipe'; pipe: Pipe } & Pos);

export interface Cmd extends Pos {
  args: Arg[];
  /** The source text of the command, for "executing ... at <...>" messages. */
  text: string;
}

export interface Pipe extends Pos {
  decl: string[];
  isAssign: boolean;
  cmds: Cmd[];
}

export type Node =
  | ({ t: 'text'; text: string } & Pos)
  | ({ t: 'action'; pipe: Pipe } & Pos)
  | Control
  | ({ t: 'template'; name: string; pipe: Pipe | null } & Pos)
  | ({ t: 'break' | 'continue' } & Pos);

export interface Tree {
  name: string;
  /** The file the tree was parsed from: error positions and the line map name it. */
  file: string;
  root: Node[];
}

export interface Control extends Pos {
  t: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | null;
}
