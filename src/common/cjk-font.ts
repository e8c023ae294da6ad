import { existsSync } from 'node:fs';
import { DomainError, ErrorCode } from './errors.js';
import type { AppConfig } from '../config/config.js';

/** Where Debian puts CJK fonts (fonts-noto-cjk first), with the face to take from a collection. */
const SEARCH: Array<{ path: string; family?: string }> = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', family: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
];

/**
 * The font PDF reports embed so Chinese renders and stays extractable: CJK_FONT_PATH (with
 * CJK_FONT_FAMILY naming the face inside a .ttc), else the first of the Debian paths that exists.
 */
export function cjkFont(config: Pick<AppConfig, 'CJK_FONT_PATH' | 'CJK_FONT_FAMILY'>): {
  path: string;
  family?: string;
} {
  if (config.CJK_FONT_PATH) {
    if (!existsSync(config.CJK_FONT_PATH))
      throw new DomainError(ErrorCode.Unavailable, `CJK_FONT_PATH ${config.CJK_FONT_PATH} does not exist`);
    return {
      path: config.CJK_FONT_PATH,
      family: config.CJK_FONT_PATH.toLowerCase().endsWith('.ttc') ? config.CJK_FONT_FAMILY : undefined,
    };
  }
  const found = SEARCH.find((f) => existsSync(f.path));
  if (!found)
    throw new DomainError(
      ErrorCode.Unavailable,
      'no CJK font for PDF reports: install fonts-noto-cjk (apt-get install fonts-noto-cjk) or set CJK_FONT_PATH',
    );
  return found;
}
