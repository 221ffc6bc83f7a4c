import { describe, expect, it } from 'vitest';
import { checkEventDelivery, findMountOf, isEventlessFsType, listMountsBelow, parseMountInfo, readMountInfo } from './mounts.js';

/** Lines of this machine's /proc/self/mountinfo, as the kernel wrote them (a VM's root on ext4, no optional fields). */
const thisMachine = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334760k,nr_inodes=3083690,mode=755',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
  '28 27 0:25 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
];

/** proc(5)'s example, with one optional field, and a bind mount of a part of a filesystem. */
const kernelExample = '36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue';

/** Written in the kernel's format, as a desktop with a NAS and a remote folder shows them. */
const network = [
  '48 27 0:45 / /mnt/music rw,relatime shared:30 - nfs4 nas.local:/volume1/music rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=none,addr=192.168.1.10',
  '52 27 0:50 / /mnt/My\\040Music rw,relatime shared:33 master:7 - cifs //nas/Music\\040Share rw,vers=3.1.1,cache=strict,username=me,uid=1000,gid=1000,soft,serverino,actimeo=1',
  '60 27 0:55 / /home/me/Music/remote rw,nosuid,nodev,relatime shared:40 - fuse.sshfs me@server:/srv/music rw,user_id=1000,group_id=1000',
  '70 27 8:17 / /media/usb rw,nosuid,nodev,relatime shared:50 - fuseblk /dev/sdb1 rw,user_id=0,group_id=0,allow_other,blksize=4096',
];

describe('parseMountInfo', () => {
  it('reads every field of a line, the optional fields up to the separator', () => {
    expect(parseMountInfo(kernelExample)).toEqual([{
      mountId: 36, parentId: 35, device: '98:0', root: '/mnt1', mountPoint: '/mnt/parent', mountOptions: 'rw,noatime',
      optionalFields: ['master:1'], fsType: 'ext3', source: '/dev/root', superOptions: 'rw,errors=continue',
    }]);
  });

  it('reads lines without optional fields, and with several', () => {
    const mounts = parseMountInfo([...thisMachine, ...network].join('\n') + '\n');
    expect(mounts.map((m) => [m.mountPoint, m.fsType, m.source, m.optionalFields])).toEqual([
      ['/proc', 'proc', 'proc', []],
      ['/dev', 'devtmpfs', 'devtmpfs', []],
      ['/', 'ext4', '/dev/vda', []],
      ['/mnt/sandboxing/model_tools_env/v1/python', 'tmpfs', 'model_tools_unavailable', []],
      ['/sys/fs/cgroup/unified', 'cgroup2', 'cgroup2', []],
      ['/mnt/music', 'nfs4', 'nas.local:/volume1/music', ['shared:30']],
      ['/mnt/My Music', 'cifs', '//nas/Music Share', ['shared:33', 'master:7']],
      ['/home/me/Music/remote', 'fuse.sshfs', 'me@server:/srv/music', ['shared:40']],
      ['/media/usb', 'fuseblk', '/dev/sdb1', ['shared:50']],
    ]);
  });

  it('turns the octal escapes of space, tab, newline and backslash back into characters', () => {
    const [mount] = parseMountInfo('90 27 0:60 / /srv/a\\040b\\011c\\012d\\134e rw - ext4 /dev/sdc1 rw');
    expect(mount?.mountPoint).toBe('/srv/a b\tc\nd\\e');
  });

  it('keeps an empty source, which the kernel writes as nothing between two spaces', () => {
    const [mount] = parseMountInfo('91 27 0:61 / /run/empty rw - tmpfs  rw,size=4k');
    expect(mount).toMatchObject({ fsType: 'tmpfs', source: '', superOptions: 'rw,size=4k' });
  });

  it('leaves out lines it cannot read', () => {
    expect(parseMountInfo('not a mount line\n12 1 0:1 / /x rw shared:1\n' + kernelExample)).toHaveLength(1);
  });
});

describe('isEventlessFsType', () => {
  it('is true for network, FUSE and VM-share filesystems', () => {
    for (const fsType of ['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', '9p', 'afs', 'ceph', 'glusterfs', 'fuse', 'fuse.sshfs', 'fuse.rclone', 'davfs', 'virtiofs']) {
      expect(isEventlessFsType(fsType), fsType).toBe(true);
    }
  });

  it('is false for local filesystems, a local disk through FUSE (fuseblk) included', () => {
    for (const fsType of ['ext4', 'btrfs', 'xfs', 'zfs', 'tmpfs', 'overlay', 'vfat', 'fuseblk']) expect(isEventlessFsType(fsType), fsType).toBe(false);
  });
});

describe('findMountOf and listMountsBelow', () => {
  const mounts = parseMountInfo([...thisMachine, ...network].join('\n'));

  it('finds the longest mount point holding the folder, on whole path segments', () => {
    expect(findMountOf('/mnt/music/Artist/Album', mounts)?.fsType).toBe('nfs4');
    expect(findMountOf('/mnt/music', mounts)?.fsType).toBe('nfs4');
    expect(findMountOf('/mnt/musicbox', mounts)?.mountPoint).toBe('/');
    expect(findMountOf('/mnt/My Music/x', mounts)?.fsType).toBe('cifs');
  });

  it('takes the later of two mounts at the same point: it covers the earlier one', () => {
    const stacked = parseMountInfo(['27 1 254:0 / / rw - ext4 /dev/vda rw', '80 27 0:70 / /data rw - ext4 /dev/vdb rw', '81 80 0:71 / /data rw - nfs srv:/d rw'].join('\n'));
    expect(findMountOf('/data/x', stacked)?.fsType).toBe('nfs');
  });

  it('lists the mounts strictly below a folder', () => {
    expect(listMountsBelow('/home/me', mounts).map((m) => m.mountPoint)).toEqual(['/home/me/Music/remote']);
    expect(listMountsBelow('/home/me/Music/remote', mounts)).toEqual([]);
  });
});

describe('checkEventDelivery', () => {
  const mounts = parseMountInfo([...thisMachine, ...network].join('\n'));

  it('says events arrive for a folder on a local disk with nothing remote below it', () => {
    expect(checkEventDelivery('/home/me/Documents', mounts)).toEqual({ events: 'delivered' });
    expect(checkEventDelivery('/media/usb/Music', mounts)).toEqual({ events: 'delivered' });
  });

  it('names the mount of a folder on a network filesystem', () => {
    expect(checkEventDelivery('/mnt/music/Jazz', mounts)).toMatchObject({ events: 'missed', at: 'folder', mount: { fsType: 'nfs4', mountPoint: '/mnt/music' } });
  });

  it('names a network or FUSE mount below a local folder', () => {
    expect(checkEventDelivery('/home/me/Music', mounts)).toMatchObject({ events: 'missed', at: 'below', mount: { fsType: 'fuse.sshfs', mountPoint: '/home/me/Music/remote' } });
  });
});

describe('readMountInfo', () => {
  it("reads this process's mount table, which has the root filesystem", async () => {
    const mounts = await readMountInfo();
    expect(mounts?.some((mount) => mount.mountPoint === '/')).toBe(true);
  });

  it('is undefined where there is no mount table', async () => {
    expect(await readMountInfo('/nonexistent/mountinfo')).toBeUndefined();
  });
});
