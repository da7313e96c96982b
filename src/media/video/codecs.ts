// RFC 6381 codec strings for the CODECS attribute of a master playlist, from what ffprobe reports.

/** H.264 profile name (ffprobe) → profile_idc and the constraint-flag byte x264 writes for it. */
const AVC_PROFILES: Record<string, [profileIdc: number, constraints: number]> = {
  'Constrained Baseline': [66, 0xc0],
  Baseline: [66, 0x00],
  Main: [77, 0x40],
  Extended: [88, 0x00],
  High: [100, 0x00],
  'High 10': [110, 0x00],
  'High 4:2:2': [122, 0x00],
  'High 4:4:4 Predictive': [244, 0x00],
};

/** "High", 31 → "avc1.64001f"; undefined when the profile or level is unknown. */
export function avcCodecString(profile: string | undefined, level: number | undefined): string | undefined {
  const known = profile === undefined ? undefined : AVC_PROFILES[profile];
  if (!known || level === undefined || !Number.isInteger(level) || level <= 0 || level > 255) return undefined;
  const [idc, constraints] = known;
  return `avc1.${hex2(idc)}${hex2(constraints)}${hex2(level)}`;
}

/** The audio part of CODECS for an audio codec name (and ffprobe profile). */
export function audioCodecString(codecName: string | undefined, profile?: string): string | undefined {
  switch (codecName) {
    case 'aac':
      if (profile === 'HE-AACv2') return 'mp4a.40.29';
      if (profile === 'HE-AAC') return 'mp4a.40.5';
      return 'mp4a.40.2';
    case 'mp3':
      return 'mp4a.40.34';
    case 'opus':
      return 'opus';
    case 'ac3':
      return 'ac-3';
    case 'eac3':
      return 'ec-3';
    default:
      return undefined;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
