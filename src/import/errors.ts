/** A file that cannot be imported at all (not a row problem): wrong format, no header, missing columns. */
export class ImportFileError extends Error {}
