import type {Migration} from './types.js'

export const migration: Migration = {
  id: 3,
  name: 'inspect',
  up() {
    // filled in by the owner of this area
  },
}
