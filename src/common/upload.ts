import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { invalid } from './errors.js';

/** What multer (bundled with @nestjs/platform-express) hands over for a memory-stored upload. */
export interface UploadedSheetFile {
  buffer: Buffer;
  originalname: string;
  size: number;
}

/** 20 MB holds a 10,000-row inventory several times over. */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** A spreadsheet upload in the multipart field "file", kept in memory. */
export const SheetUpload = () =>
  applyDecorators(
    UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } })),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['file'],
        properties: {
          file: { type: 'string', format: 'binary', description: 'XLSX or CSV (UTF-8 or GB18030)' },
        },
      },
    }),
  );

export function requireFile(file: UploadedSheetFile | undefined): UploadedSheetFile {
  if (!file || file.size === 0) throw invalid('file', 'upload the spreadsheet in the multipart field "file"');
  return file;
}
