import type {Migration} from './types.js'

export const migration: Migration = {
  id: 2,
  name: 'pricing',
  up() {
    // filled in by the owner of this area
  },
}
