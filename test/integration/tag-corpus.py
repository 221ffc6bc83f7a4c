"""Tags the base files in argv[1] every way a tag reader meets them (mutagen, an independent writer
of the formats), as tag-readers.test.ts lists them; prints the files made, one per line."""
import json, os, shutil, sys
from mutagen.flac import FLAC, Picture
from mutagen.oggvorbis import OggVorbis
from mutagen.oggopus import OggOpus
from mutagen.mp4 import MP4, MP4FreeForm, MP4Cover
from mutagen import id3

folder = sys.argv[1]
REC, REL, ART1, ART2, WORK = ('0f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f60', '1f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f61',
    '2f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f62', '3f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f63', '4f0c31a0-5b1e-4e0e-9c43-1c2b3d4e5f64')
cover = bytes([0x89]) + b'PNG\r\n\x1a\n' + os.urandom(200_000)
CUE = 'FILE "a.flac" WAVE\n  TRACK 01 AUDIO\n    TITLE "One"\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE "Two"\n    INDEX 01 00:01:00\n'

# The variants, as Vorbis comments: key -> values. Other formats translate them.
variants = {
    'none': {},
    'basic': {'TITLE': ['Song'], 'ARTIST': ['Someone'], 'ALBUM': ['Record'], 'DATE': ['2001'], 'TRACKNUMBER': ['1']},
    'picard': {'TITLE': ['Für Elise'], 'ARTIST': ['A feat. B'], 'ARTISTS': ['A', 'B'], 'ALBUM': ['Ünïcode ☃ 🎵'], 'DATE': ['2001-05-01'],
               'ORIGINALDATE': ['1999-02-03'], 'TRACKNUMBER': ['3/12'], 'WORK': ['Opus 1'], 'MUSICBRAINZ_TRACKID': [REC],
               'MUSICBRAINZ_ALBUMID': [REL], 'MUSICBRAINZ_ARTISTID': [ART1, ART2], 'MUSICBRAINZ_WORKID': [WORK]},
    'two-artists': {'TITLE': ['Duet'], 'ARTIST': ['X', 'Y'], 'TRACKNUMBER': ['7']},
    'artists-only': {'TITLE': ['Trio'], 'ARTISTS': ['P', 'Q', 'R']},
    'artists-pair': {'TITLE': ['Duo'], 'ARTISTS': ['P', 'Q']},
    'year-only': {'TITLE': ['Old'], 'YEAR': ['1999']},
    'original-year': {'TITLE': ['Reissue'], 'ORIGINALYEAR': ['1971']},
    'cover': {'TITLE': ['With cover'], 'ARTIST': ['Painter']},
    'slash': {'TITLE': ['Highway'], 'ARTIST': ['AC/DC'], 'MUSICBRAINZ_ARTISTID': [ART1 + '/' + ART2]},
    'spaces': {'TITLE': ['  padded  '], 'ARTIST': [' '], 'ALBUM': ['']},
    'cuesheet': {'TITLE': ['Album image'], 'CUESHEET': [CUE]},
}

def vorbis(path, tags, name):
    f = {'.flac': FLAC, '.ogg': OggVorbis, '.opus': OggOpus}[os.path.splitext(path)[1]](path)
    f.delete()
    for key, values in tags.items():
        f[key] = values
    if name == 'cover':
        picture = Picture()
        picture.type, picture.mime, picture.data = 3, 'image/png', cover
        if isinstance(f, FLAC):
            f.add_picture(picture)
        else:
            import base64
            f['METADATA_BLOCK_PICTURE'] = [base64.b64encode(picture.write()).decode('ascii')]
    f.save()

ID3_TEXT = {'TITLE': 'TIT2', 'ARTIST': 'TPE1', 'ALBUM': 'TALB', 'TRACKNUMBER': 'TRCK', 'ORIGINALDATE': 'TDOR'}
ID3_TXXX = {'ARTISTS': 'Artists', 'MUSICBRAINZ_ALBUMID': 'MusicBrainz Album Id', 'MUSICBRAINZ_ARTISTID': 'MusicBrainz Artist Id',
            'MUSICBRAINZ_WORKID': 'MusicBrainz Work Id', 'ORIGINALYEAR': 'originalyear', 'WORK': 'WORK', 'CUESHEET': 'CUESHEET'}

def mp3(path, tags, name, version, encoding):
    f = id3.ID3()
    for key, values in tags.items():
        if key in ID3_TEXT:
            f.add(getattr(id3, ID3_TEXT[key])(encoding=encoding, text=values))
        elif key == 'DATE':
            f.add(id3.TDRC(encoding=encoding, text=values) if version == 4 else id3.TYER(encoding=encoding, text=[values[0][:4]]))
        elif key == 'YEAR':
            f.add(id3.TYER(encoding=encoding, text=values))
        elif key == 'MUSICBRAINZ_TRACKID':
            f.add(id3.UFID(owner='http://musicbrainz.org', data=values[0].encode('ascii')))
        elif key in ID3_TXXX:
            f.add(id3.TXXX(encoding=encoding, desc=ID3_TXXX[key], text=values))
    if name == 'cover':
        f.add(id3.APIC(encoding=encoding, mime='image/png', type=3, desc='Front', data=cover))
    f.save(path, v2_version=version, v1=0)

MP4_TEXT = {'TITLE': '\xa9nam', 'ARTIST': '\xa9ART', 'ALBUM': '\xa9alb', 'DATE': '\xa9day', 'WORK': '\xa9wrk'}
MP4_FREE = {'ARTISTS': 'ARTISTS', 'MUSICBRAINZ_TRACKID': 'MusicBrainz Track Id', 'MUSICBRAINZ_ALBUMID': 'MusicBrainz Album Id',
            'MUSICBRAINZ_ARTISTID': 'MusicBrainz Artist Id', 'MUSICBRAINZ_WORKID': 'MusicBrainz Work Id', 'ORIGINALDATE': 'ORIGINALDATE',
            'ORIGINALYEAR': 'ORIGINALYEAR', 'YEAR': 'YEAR', 'CUESHEET': 'CUESHEET'}

def mp4(path, tags, name):
    f = MP4(path)
    f.delete()
    f = MP4(path)
    for key, values in tags.items():
        if key in MP4_TEXT:
            f[MP4_TEXT[key]] = values
        elif key == 'TRACKNUMBER':
            no, _, of = values[0].partition('/')
            f['trkn'] = [(int(no), int(of or 0))]
        elif key in MP4_FREE:
            f['----:com.apple.iTunes:' + MP4_FREE[key]] = [MP4FreeForm(v.encode('utf-8')) for v in values]
    if name == 'cover':
        f['covr'] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_PNG)]
    f.save()

made = []
for base in sorted(os.listdir(folder)):
    stem, ext = os.path.splitext(base)
    if not stem.startswith('base-'):
        continue
    for name, tags in variants.items():
        if ext == '.mp3':
            for version, encoding, label in [(4, 3, 'v24-utf8'), (4, 1, 'v24-utf16'), (4, 2, 'v24-utf16be'), (3, 0, 'v23-latin1'), (3, 1, 'v23-utf16')]:
                if encoding == 0 and name in ('picard', 'cuesheet'):
                    continue  # Latin-1 cannot hold them
                path = os.path.join(folder, f'{stem[5:]}-{name}-{label}{ext}')
                shutil.copy(os.path.join(folder, base), path)
                mp3(path, tags, name, version, encoding)
                made.append(path)
            continue
        path = os.path.join(folder, f'{stem[5:]}-{name}{ext}')
        shutil.copy(os.path.join(folder, base), path)
        if ext == '.m4a':
            mp4(path, tags, name)
        else:
            vorbis(path, tags, name)
        made.append(path)
# An MP3 with an ID3v1 tag after the audio as well: music-metadata merges both, so it reads it.
for base in sorted(os.listdir(folder)):
    if base.startswith('base-') and base.endswith('.mp3'):
        path = os.path.join(folder, base[5:-4] + '-with-v1.mp3')
        shutil.copy(os.path.join(folder, base), path)
        f = id3.ID3()
        f.add(id3.TIT2(encoding=3, text=['Both']))
        f.save(path, v2_version=4, v1=2)
        made.append(path)
print('\n'.join(made))
