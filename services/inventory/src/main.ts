// Inventory service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { InventoryConfig } from './config.ts';
import { startInventory } from './service.ts';

await runMain('inventory', () => startInventory(loadConfig(InventoryConfig)));
