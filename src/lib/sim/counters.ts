import type {ManagementAuth} from './auth.js'
import type {FaultInjector} from './faults.js'
import type {Observer} from './observe.js'
import type {UsageFifo, UsageHub} from './queue.js'
import type {SimCounters} from './simulator-options.js'
import type {SimTraffic} from './traffic.js'

/** The parts of a simulator whose counts `Simulator.counters()` reports. */
export interface CounterSources {
  traffic: SimTraffic
  fifo: UsageFifo
  hub: UsageHub
  auth: ManagementAuth
  observer: Observer
  injector: FaultInjector
}

/** A snapshot of every counter of the simulator (see SimCounters). */
export function readCounters({traffic, fifo, hub, auth, observer, injector}: CounterSources): SimCounters {
  const h = hub.stats
  const t = traffic.stats
  return {
    generated: t.generated,
    queued: fifo.length,
    popped: observer.popped,
    expired: fifo.expired,
    published: h.published,
    preloaded: t.preloaded,
    unpublished: t.unpublished,
    deliveredToSubscribers: h.deliveredToSubscribers,
    subscribersDropped: h.subscribersDropped,
    lostOnOverflow: h.lostOnOverflow,
    malformed: t.malformed,
    authFailures: auth.totalFailures,
    bans: auth.totalBans,
    connections: observer.connections,
    httpRequests: observer.httpRequests,
    respCommands: observer.respCommands,
    droppedReplies: injector.droppedReplies,
    injected5xx: injector.injected5xx,
  }
}
