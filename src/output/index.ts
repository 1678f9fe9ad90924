// Everything about task output. Inside the package, import the module you need, not this file: it
// loads the S3 and SES clients, which only a deployed stack's output sinks need.
export { parseOutputTarget, type OutputTarget } from './parseOutputTarget.js';
export { OutputWriter, type OutputWriterOptions } from './OutputWriter.js';
export { MemoryObjectStore, type ObjectStore } from './ObjectStore.js';
export { S3ObjectStore } from './S3ObjectStore.js';
export { Mailer, validateAddresses, type MailerOptions } from './Mailer.js';
export { MemoryMailTransport, OutboxMailTransport, type Mail, type MailTransport, type OutgoingMail } from './MailTransport.js';
export { SesMailTransport } from './SesMailTransport.js';
export { excerpt, OUTPUT_EXCERPT_BYTES } from './excerpt.js';
