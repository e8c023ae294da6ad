import PDFDocument from 'pdfkit';

/**
 * A PDF report in memory: A4, the given CJK font embedded (so Chinese renders and pdftotext finds it),
 * the title on top. `row` writes one line of a table in fixed-width columns, turning the page when full.
 */
export function pdfReport(font: { path: string; family?: string }, title: string) {
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: title } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cjk', font.path, font.family);
  doc.font('cjk');
  doc.fontSize(16).text(title);
  const row = (widths: number[], cells: Array<string | number>) => {
    const y = doc.y;
    let x = doc.page.margins.left;
    cells.forEach((cell, i) => {
      doc.text(String(cell), x, y, { width: widths[i], lineBreak: false });
      x += widths[i];
    });
    doc.x = doc.page.margins.left;
    doc.moveDown(0.3);
    if (doc.y > doc.page.height - 60) doc.addPage();
  };
  /** Ends the document; resolves to its bytes. */
  const end = () => (doc.end(), done);
  return { doc, row, end };
}
