/**
 * `GET /model-definitions/:channel`: the static model metadata of a channel,
 * `{"channel","models":[ModelInfo…]}`; an unknown channel is 400 `{"error":"unknown channel","channel"}`.
 * Only the path form is registered (`/model-definitions?channel=x` is an unknown route). Catalog:
 * ../model-catalog.ts.
 */
import {modelDefinitions} from '../model-catalog.js'
import type {SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, lastSegment, ok} from './http.js'

function getModelDefinitions(req: SimRequest): SimResponse {
  const channel = lastSegment(req).trim()
  if (channel === '') return fail(400, 'channel is required')
  const models = modelDefinitions(channel)
  if (!models) return fail(400, 'unknown channel', {channel})
  return ok({channel: channel.toLowerCase(), models})
}

export const modelDefinitionRoutes: SimRoute[] = [{method: 'GET', path: '/model-definitions/:channel', handler: getModelDefinitions}]
