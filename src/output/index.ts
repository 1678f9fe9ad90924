export { parseOutputTarget, type OutputTarget } from './parseOutputTarget.js';
export { OutputWriter, type OutputWriterOptions } from './OutputWriter.js';
export { Mailer, validateAddresses, type Mail, type MailerOptions } from './Mailer.js';
export { excerpt, OUTPUT_EXCERPT_BYTES } from './excerpt.js';
