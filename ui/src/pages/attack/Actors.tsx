import { ComingSoon } from '../../ds'

export default function ActorsPage() {
  return <ComingSoon title="Actors" summary="Under construction." />
}
