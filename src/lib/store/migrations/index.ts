import {migration as usage} from './001-usage.js'
import {migration as pricing} from './002-pricing.js'
import {migration as inspect} from './003-inspect.js'
import {migration as oneRollupLayer} from './004-one-rollup-layer.js'
import {migration as checkStates} from './005-check-states.js'
import {migration as collectorHeartbeat} from './006-collector-heartbeat.js'
import type {Migration} from './types.js'

/** Every migration, in order. Owners: 001 collect/usage, 002 prices/aliases/report, 003 inspection, 004 store (one rollup layer), 005 monitor (check states), 006 collect (the collector's heartbeat, read by monitor). */
export const migrations: Migration[] = [usage, pricing, inspect, oneRollupLayer, checkStates, collectorHeartbeat]
export type {Migration} from './types.js'
