/**
 * Whether filesystem events arrive for a folder, read from the kernel's mount table
 * (/proc/self/mountinfo). inotify sees only changes made through this machine's kernel: on a
 * network or FUSE filesystem a file another machine (or the host of a VM) writes sends no event,
 * so such a library has to be polled.
 */
import { readFile } from 'node:fs/promises';

/** One line of /proc/<pid>/mountinfo (proc(5), "/proc/pid/mountinfo"). */
export interface MountEntry {
  mountId: number;
  parentId: number;
  /** major:minor of the device. */
  device: string;
  /** The folder of the filesystem that is mounted here ('/' unless a bind mount of a part of it). */
  root: string;
  mountPoint: string;
  mountOptions: string;
  /** Tagged fields such as `shared:1` or `master:2`; zero or more. */
  optionalFields: string[];
  /** With its subtype for FUSE: `fuse.sshfs`. */
  fsType: string;
  /** Filesystem-specific: a device, `server:/export`, `//server/share`, `user@host:`, or 'none'. */
  source: string;
  superOptions: string;
}

/**
 * The kernel writes space, tab, newline and backslash as octal escapes (`\040`, `\011`, `\012`,
 * `\134`: fs/proc_namespace.c mangles them), so that fields split on single spaces.
 */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function parseMountLine(line: string): MountEntry | undefined {
  // Split on single spaces, not runs: an empty source shows as two spaces in a row.
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  if (separator < 0 || fields.length < separator + 4) return undefined;
  const [mountId, parentId, device, root, mountPoint, mountOptions] = fields;
  const [fsType, source, superOptions] = fields.slice(separator + 1);
  if (mountPoint === undefined || fsType === undefined || source === undefined || superOptions === undefined) return undefined;
  return {
    mountId: Number(mountId), parentId: Number(parentId), device: device ?? '',
    root: unescapeOctal(root ?? ''), mountPoint: unescapeOctal(mountPoint), mountOptions: mountOptions ?? '',
    optionalFields: fields.slice(6, separator),
    fsType: unescapeOctal(fsType), source: unescapeOctal(source), superOptions,
  };
}

/** The mounts of a mountinfo text, in its order (a later mount at the same point covers an earlier one). Lines it cannot read are left out. */
export function parseMountInfo(text: string): MountEntry[] {
  return text.split('\n').filter((line) => line !== '').flatMap((line) => parseMountLine(line) ?? []);
}

/**
 * Filesystems where changes made elsewhere send no event here. Network filesystems: the server
 * and the other clients change files without this kernel knowing. FUSE (`fuse`, every `fuse.*`:
 * sshfs, rclone, s3fs, mergerfs, gvfs…): the daemon serves what it likes, and most serve remote or
 * underlying storage that changes behind the mount; mergerfs does send events for writes made
 * through it, not for ones made to its branches, so polling is the safe side. `fuseblk` is not
 * here: it is a local disk (ntfs-3g, exfat-fuse) that only this machine writes, through the mount.
 * VM and container shares (virtiofs, 9p, vboxsf, vmhgfs, WSL's drvfs) are here too: the host's
 * changes do not reach the guest's inotify (virtiofs has no change notifications from the host).
 */
const eventlessFsTypes = new Set([
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'afs', 'ceph', 'glusterfs', 'lustre', 'gpfs', 'beegfs', 'ocfs2', 'gfs2',
  'fuse', 'davfs', 'sshfs', 'virtiofs', '9p', 'vboxsf', 'vmhgfs', 'prl_fs', 'drvfs',
]);

export function isEventlessFsType(fsType: string): boolean {
  return eventlessFsTypes.has(fsType) || fsType.startsWith('fuse.');
}

/** `folder` is `mountPoint` or inside it, on whole path segments ('/mnt/music2' is not in '/mnt/music'). */
function isWithin(folder: string, mountPoint: string): boolean {
  if (mountPoint === '/') return folder.startsWith('/');
  return folder === mountPoint || folder.startsWith(mountPoint + '/');
}

/** The mount `folder` (absolute, symbolic links resolved) is on: the longest mount point containing it, the later of two at the same point. */
export function findMountOf(folder: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let found: MountEntry | undefined;
  for (const mount of mounts) {
    if (isWithin(folder, mount.mountPoint) && mount.mountPoint.length >= (found?.mountPoint.length ?? 0)) found = mount;
  }
  return found;
}

/** Mounts strictly inside `folder`. */
export function listMountsBelow(folder: string, mounts: readonly MountEntry[]): MountEntry[] {
  return mounts.filter((mount) => mount.mountPoint !== folder && isWithin(mount.mountPoint, folder));
}

export type EventDelivery =
  | { events: 'delivered' }
  /** Changes at or under `mount` send no event: `at` says whether it holds the folder itself or a part below it. */
  | { events: 'missed'; at: 'folder' | 'below'; mount: MountEntry };

/** Whether inotify tells of every change under `folder` (absolute, symbolic links resolved). */
export function checkEventDelivery(folder: string, mounts: readonly MountEntry[]): EventDelivery {
  const own = findMountOf(folder, mounts);
  if (own !== undefined && isEventlessFsType(own.fsType)) return { events: 'missed', at: 'folder', mount: own };
  const below = listMountsBelow(folder, mounts).find((mount) => isEventlessFsType(mount.fsType));
  return below === undefined ? { events: 'delivered' } : { events: 'missed', at: 'below', mount: below };
}

/** This process's mount table; undefined where there is none to read (not Linux, no /proc). */
export async function readMountInfo(path = '/proc/self/mountinfo'): Promise<MountEntry[] | undefined> {
  try {
    return parseMountInfo(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
