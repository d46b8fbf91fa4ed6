export * as catalog from './catalog.ts';
export { Money, Page, PageLinks, PageQuery, Pagination } from './common.ts';
export { type EventData, type EventType, eventSchemas } from './events.ts';
export * as identity from './identity.ts';
