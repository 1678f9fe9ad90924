export { parseOutputTarget, type OutputTarget } from './parseOutputTarget.js';
export { OutputWriter, type OutputWriterOptions } from './OutputWriter.js';
export { MemoryObjectStore, S3ObjectStore, type ObjectStore } from './ObjectStore.js';
export { Mailer, validateAddresses, type MailerOptions } from './Mailer.js';
export { MemoryMailTransport, OutboxMailTransport, SesMailTransport, type Mail, type MailTransport, type OutgoingMail } from './MailTransport.js';
export { excerpt, OUTPUT_EXCERPT_BYTES } from './excerpt.js';
