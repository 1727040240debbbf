import { type Dirent, type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface TreeWatcher {
  close(): void;
}

/**
 * Calls `onChange` (debounced by `quietMs`) whenever anything under `root` changes. Each folder
 * is watched on its own, non-recursively: a folder's watch sees a file renamed into it, which is
 * how `sed -i` and editors' atomic saves write. (Node 20's `recursive` watch on Linux follows
 * files, not folders, and loses a file once it has been replaced.) Folders that appear later
 * are picked up on the next change; hidden folders and node_modules are left out.
 */
export function watchTree(root: string, onChange: () => void, quietMs = 80): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const changed = (name: string | null) => {
    if (closed || (name !== null && isEditorScratch(name))) return;
    clearTimeout(timer);
    // Editors write in bursts (temp file, rename, chmod): act once they are done.
    timer = setTimeout(() => {
      rescan();
      onChange();
    }, quietMs);
  };

  const rescan = () => {
    if (closed) return;
    const found = new Set<string>();
    const visit = (dir: string) => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return; // gone, or not a folder (any more)
      }
      found.add(dir);
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
          visit(join(dir, entry.name));
      }
    };
    visit(root);
    for (const [dir, watcher] of watchers) {
      if (!found.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of found) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, name) => changed(name === null ? null : String(name)));
        // A watched folder that is removed ends its watch; the next rescan forgets it.
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch {
        // Removed between the listing and the watch.
      }
    }
  };

  rescan();
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** Files editors write beside the real one and never build from: swap, backup, probe files. */
function isEditorScratch(name: string): boolean {
  const base = name.split(/[\\/]/).pop() ?? name;
  return (
    (base.startsWith('.') && /\.sw[a-p]$/.test(base)) ||
    base.startsWith('.#') ||
    base.endsWith('~') ||
    base === '4913'
  );
}
