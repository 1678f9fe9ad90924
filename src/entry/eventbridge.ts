/** `tickwork/eventbridge`: hands fan-out tasks to their own Lambdas through an EventBridge bus. */
export { EventBridgeDispatcher, type EventBridgeDispatcherOptions } from '../dispatch/EventBridgeDispatcher.js';
